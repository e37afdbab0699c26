#include "berth/oci/client.h"

#include <nlohmann/json.hpp>

#include <set>
#include <thread>

#include "authenticator.h"
#include "berth/oci/attachment_tags.h"
#include "berth/error.h"
#include "berth/http/challenge.h"
#include "berth/http/url.h"
#include "berth/oci/reference.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "berth/util/text.h"

namespace berth::oci {
namespace {

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

// Remote text for a message: terminal controls stripped (a registry must not
// be able to drive the user's terminal), on one line, at most `max` bytes.
std::string OneLine(std::string_view remote, size_t max) {
  std::string text = StripControl(remote);
  if (text.size() > max) text = text.substr(0, max) + "…";
  return text;
}

ErrorCode CodeFor(const http::Response& response) {
  if (response.status == 401 || response.status == 403) return ErrorCode::kAuth;
  if (response.status == 404) return ErrorCode::kNotFound;
  if (response.body.find("DIGEST_INVALID") != std::string::npos) return ErrorCode::kVerification;
  return ErrorCode::kFailure;
}

void ShowWarnings(const http::Response& response) {
  for (const auto& warning : response.HeaderAll("warning")) {
    if (warning.starts_with("299")) log::Warn("registry warning: {}", Redact(OneLine(warning, 300)));
  }
}

constexpr size_t kManifestLimit = 8u << 20;

}  // namespace

std::string PullScope(const std::string& repository) { return "repository:" + repository + ":pull"; }
std::string PushScope(const std::string& repository) { return "repository:" + repository + ":pull,push"; }
std::string DeleteScope(const std::string& repository) { return "repository:" + repository + ":pull,delete"; }

std::string ShortDigest(const Digest& digest) { return digest.algorithm() + ":" + digest.hex().substr(0, 12) + "…"; }

std::string DescribeErrorResponse(const http::Response& response) {
  std::string text = std::to_string(response.status);
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_discarded() && body.is_object() && body.contains("errors") && body["errors"].is_array() && !body["errors"].empty()) {
    const auto& first = body["errors"][0];
    std::string code = first.is_object() ? first.value("code", "") : "";
    std::string message = first.is_object() && first.contains("message") && first["message"].is_string() ? first["message"].get<std::string>() : "";
    if (!code.empty()) text += " " + OneLine(code, 100);
    if (!message.empty()) text += " (" + OneLine(message, 200) + ")";
    return Redact(text);
  }
  if (const char* phrase = ReasonPhrase(response.status); *phrase) text += " " + std::string(phrase);
  if (!body.is_discarded() && body.is_object() && body.contains("error") && body["error"].is_string()) {
    text += " (" + OneLine(body["error"].get<std::string>(), 200) + ")";
  }
  return Redact(text);
}

RegistryClient::RegistryClient(ClientOptions options) : options_(std::move(options)) {
  const std::string registry = options_.registry;
  const http::TlsSettings own = options_.settings.tls;
  auto others = options_.other_hosts_tls;
  http_ = std::make_unique<http::Client>([registry, own, others](const std::string& host) {
    if (NormalizeRegistryHost(host) == NormalizeRegistryHost(registry) || (registry == kDockerHub && host == "registry-1.docker.io")) {
      return own;
    }
    return others ? others(host) : http::TlsSettings{};
  });
  auth_ = std::make_unique<Authenticator>(options_.registry, BaseUrl(), *http_, options_.settings, options_.credentials);
}

RegistryClient::~RegistryClient() = default;

std::string RegistryClient::BaseUrl() const {
  std::string host = options_.registry == kDockerHub ? "registry-1.docker.io" : options_.registry;
  return (options_.settings.plain_http ? "http://" : "https://") + host;
}

void RegistryClient::Fail(const Call& call, ErrorCode code, const std::string& detail, bool transient) const {
  std::string message = call.verb + " " + options_.registry + "/" + call.repository + ": " + call.what + " failed: " + Redact(detail);
  if (transient) throw TransientError(code, message);
  throw Error(code, message);
}

void RegistryClient::RequireOwnOrigin(const Call& call, const std::string& url, const std::string& what) const {
  const std::string own = http::UrlOrigin(BaseUrl());
  const std::string other = http::UrlOrigin(url);
  if (other == own) return;
  std::string why = http::UrlScheme(own) == "https" && http::UrlScheme(other) == "http" ? " (a downgrade from https to http)" : "";
  Fail(call, ErrorCode::kFailure,
       what + " points to " + (other.empty() ? "'" + url + "'" : other) + ", not to the registry's origin " + own + why +
           "; refused, so that credentials for " + options_.registry + " go nowhere else");
}

void RegistryClient::CheckContentDigest(const Call& call, const std::string& header, std::string_view bytes) const {
  if (!Digest::IsValid(header)) {
    // Ignoring it would let a registry opt out of the check by naming another algorithm.
    Fail(call, ErrorCode::kVerification,
         "the registry sent Docker-Content-Digest '" + OneLine(header, 200) +
             "', which berth cannot verify (it checks sha256 and sha512 digests); refused");
  }
  std::string actual = Digest::OfLike(Digest::Parse(header), bytes).str();
  if (actual != header) {
    Fail(call, ErrorCode::kVerification, "digest mismatch: the registry says " + header + ", the bytes are " + actual);
  }
}

void RegistryClient::Fail(const Call& call, const http::Response& response) const {
  std::string detail = DescribeErrorResponse(response);
  std::string insufficient;
  for (const auto& header : response.HeaderAll("www-authenticate")) {
    for (const auto& challenge : http::ParseChallenges(header)) {
      if (challenge.Param("error") == "insufficient_scope") insufficient = http::SortScopeActions(challenge.Param("scope"));
    }
  }
  if (response.status == 401 && auth_->WentAnonymous()) {
    // A token registry answers an anonymous request with insufficient_scope too; the cause is the missing login.
    detail += " (no credentials for " + options_.registry + ": berth login " + options_.registry + ")";
  } else if (response.status == 401 && !insufficient.empty()) {
    detail += " (insufficient scope: the credentials do not grant " + insufficient + ")";
  } else if (response.status == 401) {
    detail += " (check the credentials: berth login " + options_.registry + ")";
  }
  Fail(call, CodeFor(response), detail, http::IsRetryableStatus(response.status));
}

http::Response RegistryClient::Execute(const Call& call, const std::function<http::Request()>& build,
                                       const std::function<uint64_t()>& progress) {
  const http::RetryPolicy& policy = options_.settings.retry;
  int attempts = call.attempts > 0 ? call.attempts : policy.attempts;
  bool auth_retried = false;
  uint64_t last_progress = progress ? progress() : 0;
  for (int attempt = 1;; ++attempt) {
    std::optional<std::chrono::milliseconds> retry_after;
    std::string reason;
    try {
      http::Request request = build();
      RequireOwnOrigin(call, request.url, "the request URL");
      std::string authorization;
      try {
        authorization = auth_->Header(call.scopes);
      } catch (const Error& e) {
        Fail(call, e.code(), e.what());
      }
      if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
      http::Response response = http_->Send(request);
      ShowWarnings(response);
      // A 401 from a redirect target (a storage host) says nothing about the
      // registry's auth: learning its challenge would send the registry's
      // credentials to whatever realm that host names.
      bool from_registry = response.effective_url.empty() || http::UrlOrigin(response.effective_url) == http::UrlOrigin(BaseUrl());
      if (response.status == 401 && !from_registry) {
        Fail(call, ErrorCode::kAuth,
             DescribeErrorResponse(response) + " from " + http::UrlOrigin(response.effective_url) +
                 ", where the registry redirected (its challenge is ignored: credentials stay with the registry)");
      }
      if (response.status == 401 && !auth_retried) {
        bool retry = false;
        try {
          retry = auth_->OnUnauthorized(response, call.scopes);
        } catch (const Error& e) {
          Fail(call, e.code(), e.what());
        }
        if (retry) {
          auth_retried = true;
          --attempt;
          continue;
        }
      }
      if (!http::IsRetryableStatus(response.status) || attempt >= attempts) {
        if (http::IsRetryableStatus(response.status) && attempt > 1) {
          Fail(call, CodeFor(response), DescribeErrorResponse(response) + " (after " + std::to_string(attempt) + " attempts)", true);
        }
        return response;
      }
      if (auto header = response.Header("retry-after")) retry_after = http::ParseRetryAfter(*header);
      reason = DescribeErrorResponse(response);
    } catch (const http::TransportError& e) {
      if (progress && progress() > last_progress) {
        // A resumable download that got further: the budget starts over.
        last_progress = progress();
        attempt = 0;
      }
      if (!e.retryable() || attempt >= attempts) {
        Fail(call, ErrorCode::kFailure, std::string(e.what()) + (attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : ""),
             e.retryable());
      }
      reason = e.what();
      if (attempt == 0) attempt = 1;
    }
    auto wait = policy.Backoff(attempt, retry_after);
    log::Info("{} {}/{}: {}: {}; retrying in {} ms", call.verb, options_.registry, call.repository, call.what, reason, wait.count());
    std::this_thread::sleep_for(wait);
  }
}

std::optional<SecretValue> RegistryClient::Login(const Credential& credential) {
  try {
    return auth_->Login(credential);
  } catch (const Error& e) {
    throw Error(e.code(), "login " + options_.registry + ": " + e.what());
  }
}

std::optional<Descriptor> RegistryClient::StatBlob(const std::string& verb, const std::string& repository, const Digest& digest,
                                                   std::vector<std::string> scopes) {
  if (scopes.empty()) scopes = {PullScope(repository)};
  Call call{verb, repository, "blob check " + ShortDigest(digest), scopes};
  http::Response response = Execute(call, [&] {
    http::Request request;
    request.method = "HEAD";
    request.url = Url("/v2/" + repository + "/blobs/" + digest.str());
    request.follow_redirects = true;
    return request;
  });
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) Fail(call, response);
  Descriptor descriptor;
  descriptor.digest = digest;
  if (auto length = response.Header("content-length")) descriptor.size = std::stoll(*length);
  descriptor.media_type = "application/octet-stream";
  return descriptor;
}

void RegistryClient::FetchBlob(const std::string& verb, const std::string& repository, const Descriptor& blob,
                               const std::function<void(const char* data, size_t size)>& sink) {
  Call call{verb, repository, "blob download " + ShortDigest(blob.digest), {PullScope(repository)}};
  AsyncSha256 hash;
  uint64_t delivered = 0;  // Bytes handed to sink: where a resumed GET must start.
  uint64_t skip = 0;       // Bytes of this answer already delivered by an earlier one.
  const uint64_t expected = uint64_t(blob.size);
  http::Response response = Execute(
      call,
      [&] {
        http::Request request;
        request.url = Url("/v2/" + repository + "/blobs/" + blob.digest.str());
        request.follow_redirects = true;
        if (delivered > 0) request.headers.emplace_back("Range", "bytes=" + std::to_string(delivered) + "-");
        request.on_headers = [&](const http::Response& head) {
          skip = 0;
          if (delivered == 0) return;
          if (head.status == 206) {
            auto range = head.Header("content-range");
            if (!range || range->find("bytes " + std::to_string(delivered) + "-") != 0) {
              throw Error(ErrorCode::kFailure, call.verb + " " + options_.registry + "/" + repository + ": " + call.what +
                                                   " failed: resumed at the wrong offset (Content-Range " + OneLine(range.value_or("none"), 100) + ")");
            }
          } else {
            skip = delivered;  // The registry ignored Range: drop what we have.
          }
        };
        request.on_body = [&](const char* data, size_t size) {
          if (skip > 0) {
            size_t drop = size_t(std::min<uint64_t>(skip, size));
            skip -= drop;
            data += drop;
            size -= drop;
            if (size == 0) return;
          }
          if (delivered + size > expected) {
            throw Error(ErrorCode::kVerification, call.verb + " " + options_.registry + "/" + repository + ": " + call.what +
                                                      " failed: more than the " + std::to_string(expected) + " bytes its descriptor says");
          }
          hash.Update(data, size);
          sink(data, size);
          delivered += size;
        };
        return request;
      },
      [&] { return delivered; });
  if (response.status != 200 && response.status != 206) Fail(call, response);
  try {
    CheckDigest("blob " + blob.digest.str(), blob.digest, hash.FinishHex(), expected, delivered);
  } catch (const Error& e) {
    Fail(call, e.code(), e.what());
  }
}

std::string RegistryClient::FetchSmallBlob(const std::string& verb, const std::string& repository, const Descriptor& blob,
                                           size_t max_size) {
  if (blob.size < 0 || uint64_t(blob.size) > max_size) {
    Fail({verb, repository, "blob download " + ShortDigest(blob.digest), {}}, ErrorCode::kFailure,
         "blob of " + std::to_string(blob.size) + " bytes is larger than " + std::to_string(max_size));
  }
  std::string content;
  content.reserve(size_t(blob.size));
  FetchBlob(verb, repository, blob, [&](const char* data, size_t size) { content.append(data, size); });
  return content;
}

std::pair<std::string, int64_t> RegistryClient::StartUpload(const Call& call, const std::string& repository) {
  std::string url = Url("/v2/" + repository + "/blobs/uploads/");
  Call post = call;
  post.what = "blob upload start (" + call.what + ")";
  http::Response response = Execute(post, [&] {
    http::Request request;
    request.method = "POST";
    request.url = url;
    return request;
  });
  if (response.status != 202) Fail(post, response);
  auto location = response.Header("location");
  if (!location) Fail(post, ErrorCode::kFailure, "202 without a Location header");
  int64_t min_chunk = 0;
  if (auto header = response.Header("oci-chunk-min-length")) min_chunk = std::atoll(header->c_str());
  std::string resolved = http::ResolveUrl(url, *location);
  RequireOwnOrigin(post, resolved, "the upload Location");
  return {resolved, min_chunk};
}

void RegistryClient::UploadMonolithic(const Call& call, const std::string& location, const Descriptor& blob, BlobSource& source) {
  std::unique_ptr<BlobReader> reader;
  Call put = call;
  put.attempts = 1;  // A failed PUT may leave the session half written: the caller starts a new one.
  http::Response response = Execute(put, [&] {
    reader = source.Open();
    http::Request request;
    request.method = "PUT";
    request.url = http::AddQuery(location, "digest", blob.digest.str());
    request.headers = {{"Content-Type", "application/octet-stream"}};
    request.body_reader = [&reader](char* buffer, size_t size) { return reader->Read(buffer, size); };
    request.body_size = blob.size;
    return request;
  });
  if (response.status != 201) Fail(call, response);
  if (auto digest = response.Header("docker-content-digest"); digest && *digest != blob.digest.str()) {
    Fail(call, ErrorCode::kVerification, "the registry stored digest " + OneLine(*digest, 200) + ", expected " + blob.digest.str());
  }
}

void RegistryClient::UploadChunked(const Call& call, std::string location, int64_t min_chunk, const Descriptor& blob,
                                   BlobSource& source, int64_t start) {
  const int64_t chunk = std::max<int64_t>({options_.settings.chunk_size, min_chunk, 1 << 16});
  std::unique_ptr<BlobReader> reader = source.Open();
  std::vector<char> buffer(size_t(std::min<int64_t>(chunk, std::max<int64_t>(blob.size, 1))));
  int64_t offset = 0;
  // Resuming: the bytes the registry has are read (the digest covers them)
  // but not sent.
  while (offset < start) {
    size_t n = reader->Read(buffer.data(), size_t(std::min<int64_t>(int64_t(buffer.size()), start - offset)));
    if (n == 0) Fail(call, ErrorCode::kVerification, "the blob ended after " + std::to_string(offset) + " bytes");
    offset += int64_t(n);
  }
  auto remember = [&] {
    if (options_.upload_state) {
      options_.upload_state->Save({options_.registry, call.repository, blob.digest, blob.size, location, offset, min_chunk});
    }
  };
  remember();
  while (offset < blob.size) {
    size_t filled = 0;
    while (filled < buffer.size()) {
      size_t n = reader->Read(buffer.data() + filled, buffer.size() - filled);
      if (n == 0) break;
      filled += n;
    }
    if (filled == 0) Fail(call, ErrorCode::kVerification, "the blob ended after " + std::to_string(offset) + " bytes");
    size_t sent = 0;  // Of this chunk, confirmed by the registry.
    for (int round = 0; sent < filled; ++round) {
      Call patch = call;
      patch.what = call.what + " (chunk at " + std::to_string(offset + int64_t(sent)) + ")";
      http::Response response = Execute(patch, [&] {
        http::Request request;
        request.method = "PATCH";
        request.url = location;
        int64_t start = offset + int64_t(sent);
        request.headers = {{"Content-Type", "application/octet-stream"},
                           {"Content-Range", std::to_string(start) + "-" + std::to_string(offset + int64_t(filled) - 1)}};
        request.body.assign(buffer.data() + sent, filled - sent);
        return request;
      });
      if (response.status == 202) {
        if (auto next = response.Header("location")) location = http::ResolveUrl(location, *next);
        RequireOwnOrigin(patch, location, "the upload Location");
        sent = filled;
        break;
      }
      if (response.status != 416 || round > 2) Fail(patch, response);
      // Out of step (a retried PATCH that had landed): ask where the registry is.
      http::Response status = Execute(patch, [&] {
        http::Request request;
        request.url = location;
        return request;
      });
      auto range = status.Header("range");
      if (status.status != 204 || !range) Fail(patch, status);
      int64_t end = std::atoll(range->substr(range->find('-') + 1).c_str()) + 1;
      if (end < offset + int64_t(sent) || end > offset + int64_t(filled)) Fail(patch, response);
      sent = size_t(end - offset);
      if (auto next = status.Header("location")) location = http::ResolveUrl(location, *next);
      RequireOwnOrigin(patch, location, "the upload Location");
    }
    offset += int64_t(filled);
    remember();
  }
  char probe;
  if (reader->Read(&probe, 1) != 0) Fail(call, ErrorCode::kVerification, "the blob is longer than its descriptor's " + std::to_string(blob.size) + " bytes");
  http::Response response = Execute(call, [&] {
    http::Request request;
    request.method = "PUT";
    request.url = http::AddQuery(location, "digest", blob.digest.str());
    return request;
  });
  if (response.status != 201) Fail(call, response);
  if (options_.upload_state) options_.upload_state->Remove(options_.registry, call.repository, blob.digest);
}

bool RegistryClient::TryResume(const Call& call, const std::string& repository, const Descriptor& blob, BlobSource& source) {
  const UploadStateStore& store = *options_.upload_state;
  std::optional<UploadState> state = store.Load(options_.registry, repository, blob.digest);
  if (!state) return false;
  auto give_up = [&](const std::string& why) {
    log::Info("{} {}/{}: cannot resume the upload of {} ({}); starting over", call.verb, options_.registry, repository,
              ShortDigest(blob.digest), why);
    store.Remove(options_.registry, repository, blob.digest);
    return false;
  };
  if (state->size != blob.size) return give_up("the recorded size differs");
  Call ask = call;
  ask.what = "upload status (" + call.what + ")";
  http::Response status;
  try {
    // OCI distribution: GET on the upload URL answers 204 with Range: 0-<last byte it has>.
    status = Execute(ask, [&] {
      http::Request request;
      request.url = state->location;
      return request;
    });
  } catch (const Error& e) {
    return give_up(e.what());
  }
  auto range = status.Header("range");
  if (status.status != 204 || !range || range->find('-') == std::string::npos) {
    return give_up("the registry answered " + DescribeErrorResponse(status));
  }
  int64_t end = std::atoll(range->substr(range->find('-') + 1).c_str());
  // "0-0" is also what distribution says for an empty upload.
  int64_t offset = end == 0 && state->offset == 0 ? 0 : end + 1;
  if (offset < 0 || offset > blob.size) return give_up("the registry has " + std::to_string(offset) + " bytes");
  std::string location = state->location;
  if (auto next = status.Header("location")) location = http::ResolveUrl(location, *next);
  if (http::UrlOrigin(location) != http::UrlOrigin(BaseUrl())) return give_up("the upload Location points to another origin");
  log::Info("{} {}/{}: resuming the upload of {} at byte {} of {}", call.verb, options_.registry, repository, ShortDigest(blob.digest),
            offset, blob.size);
  try {
    UploadChunked(call, location, state->min_chunk, blob, source, offset);
  } catch (const Error& e) {
    return give_up(e.what());
  }
  ++resumed_blobs_;
  resumed_bytes_ += offset;
  return true;
}

BlobOutcome RegistryClient::PushBlob(const std::string& verb, const std::string& repository, const Descriptor& blob,
                                     BlobSource& source, const std::optional<std::string>& mount_from) {
  std::vector<std::string> scopes = {PushScope(repository)};
  bool mounting = mount_from && *mount_from != repository;
  if (mounting) scopes.push_back(PullScope(*mount_from));
  Call call{verb, repository, "blob upload " + ShortDigest(blob.digest), scopes};
  std::string location;
  int64_t min_chunk = 0;
  if (mounting) {
    // Mount first, without a HEAD: 201 whether the blob came from the other
    // repository or was already here, so a same-registry copy costs one
    // request per blob.
    Call mount = call;
    mount.what = "blob mount " + ShortDigest(blob.digest) + " from " + *mount_from;
    std::string url = Url("/v2/" + repository + "/blobs/uploads/?mount=" + blob.digest.str() + "&from=" + *mount_from);
    http::Response response = Execute(mount, [&] {
      http::Request request;
      request.method = "POST";
      request.url = url;
      return request;
    });
    if (response.status == 201) return BlobOutcome::kMounted;
    if (response.status != 202) Fail(mount, response);
    if (auto header = response.Header("location")) {
      location = http::ResolveUrl(url, *header);
      RequireOwnOrigin(mount, location, "the upload Location");
    }
    if (auto header = response.Header("oci-chunk-min-length")) min_chunk = std::atoll(header->c_str());
  }
  const bool resumable = options_.upload_state && options_.settings.chunk_size > 0;
  if (StatBlob(verb, repository, blob.digest, scopes)) {
    if (resumable) options_.upload_state->Remove(options_.registry, repository, blob.digest);
    return BlobOutcome::kExisted;
  }
  if (resumable && location.empty() && TryResume(call, repository, blob, source)) return BlobOutcome::kUploaded;
  const http::RetryPolicy& policy = options_.settings.retry;
  for (int attempt = 1;; ++attempt) {
    try {
      if (location.empty()) std::tie(location, min_chunk) = StartUpload(call, repository);
      // Chunks only when asked for; the registry's minimum then sets their least size.
      if (options_.settings.chunk_size > 0) {
        UploadChunked(call, location, min_chunk, blob, source);
      } else {
        UploadMonolithic(call, location, blob, source);
      }
      return BlobOutcome::kUploaded;
    } catch (const TransientError& e) {
      // Only network failures and busy answers are worth a new session.
      if (attempt >= policy.attempts) throw;
      auto wait = policy.Backoff(attempt);
      log::Info("{}; starting the upload again in {} ms", e.what(), wait.count());
      std::this_thread::sleep_for(wait);
      location.clear();
    }
  }
}

Manifest RegistryClient::GetManifest(const std::string& verb, const std::string& repository, const std::string& identifier) {
  std::optional<Manifest> manifest = FetchManifest(verb, repository, identifier, false);
  return std::move(*manifest);
}

std::optional<Manifest> RegistryClient::GetManifestIfExists(const std::string& verb, const std::string& repository,
                                                            const std::string& identifier) {
  return FetchManifest(verb, repository, identifier, true);
}

std::optional<Manifest> RegistryClient::FetchManifest(const std::string& verb, const std::string& repository,
                                                      const std::string& identifier, bool missing_ok) {
  Call call{verb, repository, "manifest " + identifier, {PullScope(repository)}};
  http::Response response = Execute(call, [&] {
    http::Request request;
    request.url = Url("/v2/" + repository + "/manifests/" + identifier);
    request.headers = {{"Accept", ManifestAcceptHeader()}};
    request.max_buffered_body = kManifestLimit;
    return request;
  });
  if (missing_ok && response.status == 404) return std::nullopt;
  if (response.status != 200) Fail(call, response);
  std::string actual = Digest::Of(response.body).str();
  if (Digest::IsValid(identifier)) {
    std::string got = Digest::OfLike(Digest::Parse(identifier), response.body).str();
    if (got != identifier) Fail(call, ErrorCode::kVerification, "digest mismatch: asked for " + identifier + ", got " + got);
  }
  if (auto header = response.Header("docker-content-digest")) CheckContentDigest(call, *header, response.body);
  try {
    return Manifest::Parse(std::move(response.body), response.Header("content-type").value_or(""),
                           options_.registry + "/" + repository + "@" + actual);
  } catch (const Error& e) {
    Fail(call, e.code(), e.what());
  }
}

std::optional<Descriptor> RegistryClient::HeadManifest(const std::string& verb, const std::string& repository,
                                                       const std::string& identifier) {
  Call call{verb, repository, "manifest check " + identifier, {PullScope(repository)}};
  http::Response response = Execute(call, [&] {
    http::Request request;
    request.method = "HEAD";
    request.url = Url("/v2/" + repository + "/manifests/" + identifier);
    request.headers = {{"Accept", ManifestAcceptHeader()}};
    return request;
  });
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) Fail(call, response);
  auto digest = response.Header("docker-content-digest");
  // Descriptors are sha256 here; any other header is checked against the
  // bytes by the GET (which refuses one it cannot verify).
  if (!digest || !digest->starts_with("sha256:") || !Digest::IsValid(*digest)) {
    return GetManifest(verb, repository, identifier).AsDescriptor();
  }
  Descriptor descriptor;
  descriptor.digest = Digest::Parse(*digest);
  descriptor.media_type = response.Header("content-type").value_or("");
  if (auto length = response.Header("content-length")) descriptor.size = std::atoll(length->c_str());
  return descriptor;
}

Digest RegistryClient::PutManifest(const std::string& verb, const std::string& repository, const std::string& identifier,
                                   const Manifest& manifest) {
  Call call{verb, repository, "manifest upload " + identifier, {PushScope(repository)}};
  http::Response response = Execute(call, [&] {
    http::Request request;
    request.method = "PUT";
    request.url = Url("/v2/" + repository + "/manifests/" + identifier);
    request.headers = {{"Content-Type", manifest.media_type}};
    request.body = manifest.bytes;
    return request;
  });
  if (response.status != 201 && response.status != 200) Fail(call, response);
  if (auto digest = response.Header("docker-content-digest")) CheckContentDigest(call, *digest, manifest.bytes);
  return manifest.digest;
}

void RegistryClient::DeleteManifest(const std::string& verb, const std::string& repository, const Digest& digest) {
  Call call{verb, repository, "manifest delete " + digest.str(), {DeleteScope(repository)}};
  http::Response response = Execute(call, [&] {
    http::Request request;
    request.method = "DELETE";
    request.url = Url("/v2/" + repository + "/manifests/" + digest.str());
    return request;
  });
  if (response.status == 405) {
    Fail(call, ErrorCode::kFailure, DescribeErrorResponse(response) + " (the registry does not allow deleting)");
  }
  if (response.status != 202 && response.status != 200) Fail(call, response);
}

void RegistryClient::CheckPushAccess(const std::string& verb, const std::string& repository) {
  Call call{verb, repository, "push access check", {PushScope(repository)}};
  std::string location = StartUpload(call, repository).first;
  // The session would expire by itself; cancelling it is courtesy, and a
  // registry that cannot cancel (405) has still shown it takes pushes.
  Call cancel = call;
  cancel.attempts = 1;
  Execute(cancel, [&] {
    http::Request request;
    request.method = "DELETE";
    request.url = location;
    return request;
  });
}

std::vector<std::string> RegistryClient::ListTags(const std::string& verb, const std::string& repository, int page_size) {
  Call call{verb, repository, "tag list", {PullScope(repository)}};
  std::string url = Url("/v2/" + repository + "/tags/list");
  if (page_size > 0) url = http::AddQuery(url, "n", std::to_string(page_size));
  std::vector<std::string> tags;
  std::set<std::string> seen_urls;
  while (!url.empty()) {
    if (!seen_urls.insert(url).second) Fail(call, ErrorCode::kFailure, "the registry's Link pagination loops");
    http::Response response = Execute(call, [&] {
      http::Request request;
      request.url = url;
      return request;
    });
    if (response.status != 200) Fail(call, response);
    nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) Fail(call, ErrorCode::kFailure, "the answer is not a JSON object");
    if (auto list = body.find("tags"); list != body.end() && list->is_array()) {
      for (const auto& tag : *list) {
        if (tag.is_string()) tags.push_back(tag.get<std::string>());
      }
    }
    std::string next;
    for (const auto& link : response.HeaderAll("link")) {
      size_t open = link.find('<'), close = link.find('>');
      if (open == std::string::npos || close == std::string::npos || link.find("rel=\"next\"", close) == std::string::npos) continue;
      next = http::ResolveUrl(url, link.substr(open + 1, close - open - 1));
      RequireOwnOrigin(call, next, "the tag list's Link");
    }
    url = next;
  }
  return tags;
}

std::vector<Descriptor> RegistryClient::Referrers(const std::string& verb, const std::string& repository, const Digest& digest,
                                                  const std::string& artifact_type) {
  Call call{verb, repository, "referrers of " + ShortDigest(digest), {PullScope(repository)}};
  std::string url = Url("/v2/" + repository + "/referrers/" + digest.str());
  if (!artifact_type.empty()) url = http::AddQuery(url, "artifactType", artifact_type);
  http::Response response = Execute(call, [&] {
    http::Request request;
    request.url = url;
    request.headers = {{"Accept", media_type::kOciIndex}};
    request.max_buffered_body = kManifestLimit;
    return request;
  });
  std::vector<Descriptor> found;
  if (response.status == 200) {
    try {
      found = Manifest::Parse(std::move(response.body), media_type::kOciIndex, "referrers index").manifests;
    } catch (const Error& e) {
      Fail(call, e.code(), e.what());
    }
  } else if (response.status == 404) {
    // No referrers API: the tag schema keeps an index under "sha256-<hex>".
    std::string tag = AttachmentTag(digest, "");
    std::optional<Manifest> index = GetManifestIfExists(verb, repository, tag);
    if (!index) return {};
    if (!index->is_index) Fail(call, ErrorCode::kFailure, "tag " + tag + " is not an index");
    found = index->manifests;
  } else {
    Fail(call, response);
  }
  if (artifact_type.empty()) return found;
  std::vector<Descriptor> filtered;
  for (auto& descriptor : found) {
    if (descriptor.artifact_type == artifact_type) filtered.push_back(std::move(descriptor));
  }
  return filtered;
}

std::string RegistryClient::PutReferrer(const std::string& verb, const std::string& repository, const Manifest& referrer) {
  Call call{verb, repository, "referrer upload " + ShortDigest(referrer.digest), {PushScope(repository)}};
  if (!referrer.subject) Fail(call, ErrorCode::kInvalidInput, "the manifest has no subject, so it refers to nothing");
  const Digest& subject = referrer.subject->digest;
  http::Response response = Execute(call, [&] {
    http::Request request;
    request.method = "PUT";
    request.url = Url("/v2/" + repository + "/manifests/" + referrer.digest.str());
    request.headers = {{"Content-Type", referrer.media_type}};
    request.body = referrer.bytes;
    return request;
  });
  if (response.status != 201 && response.status != 200) Fail(call, response);
  if (auto digest = response.Header("docker-content-digest")) CheckContentDigest(call, *digest, referrer.bytes);
  // The spec's signal that the registry lists it under /referrers/ itself.
  if (response.Header("oci-subject").value_or("") == subject.str()) return "";

  const std::string tag = AttachmentTag(subject, "");
  nlohmann::json index = {{"schemaVersion", 2}, {"mediaType", media_type::kOciIndex}, {"manifests", nlohmann::json::array()}};
  if (std::optional<Manifest> existing = GetManifestIfExists(verb, repository, tag)) {
    if (!existing->is_index) Fail(call, ErrorCode::kInvalidInput, "tag " + tag + " exists and is not a referrers index");
    for (const Descriptor& listed : existing->manifests) {
      if (listed.digest == referrer.digest) return tag;
    }
    // Others' entries are kept as they are, fields berth does not know included.
    index = nlohmann::json::parse(existing->bytes);
    if (!index.contains("manifests") || !index["manifests"].is_array()) index["manifests"] = nlohmann::json::array();
  }
  Descriptor entry = referrer.AsDescriptor();
  entry.platform.reset();
  // As the referrers API would list it: the artifactType, else the config's media type.
  entry.artifact_type = !referrer.artifact_type.empty() ? referrer.artifact_type
                        : referrer.config                ? referrer.config->media_type
                                                         : "";
  entry.annotations = referrer.annotations;
  index["manifests"].push_back(entry.ToJson());
  PutManifest(verb, repository, tag, Manifest::Parse(index.dump(), media_type::kOciIndex, registry() + "/" + repository + ":" + tag));
  return tag;
}

}  // namespace berth::oci
