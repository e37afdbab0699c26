#include "authenticator.h"

#include "../http/private_address.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <thread>

#include "berth/error.h"
#include "berth/http/challenge.h"
#include "berth/http/url.h"
#include "berth/oci/client.h"
#include "berth/util/base64.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"

namespace berth::oci {
namespace {

using Clock = std::chrono::steady_clock;

std::string ScopeKey(std::vector<std::string> scopes) {
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  std::string key;
  for (const auto& scope : scopes) key += scope + " ";
  return key;
}

// "repository:team/app:pull,push" -> {"repository:team/app#pull", "...#push"}.
// The name may hold a ':' (a port), so the actions follow the last one.
std::set<std::string> Grants(const std::vector<std::string>& scopes) {
  std::set<std::string> grants;
  for (const auto& scope : scopes) {
    size_t last = scope.rfind(':');
    if (last == std::string::npos) continue;
    std::string resource = scope.substr(0, last);
    std::string actions = scope.substr(last + 1);
    size_t start = 0;
    while (start <= actions.size()) {
      size_t comma = actions.find(',', start);
      std::string action = actions.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!action.empty()) grants.insert(resource + "#" + action);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return grants;
}

}  // namespace

bool Authenticator::IsPrivateHost(const std::string& host_port) { return http::IsPrivateHost(host_port); }

Authenticator::Authenticator(std::string registry, std::string base_url, http::Client& http, RegistrySettings settings,
                             CredentialFn credentials)
    : registry_(std::move(registry)),
      base_url_(std::move(base_url)),
      http_(http),
      settings_(std::move(settings)),
      credentials_(std::move(credentials)) {}

http::Response Authenticator::SendWithRetries(const http::Request& request, const std::string& what) {
  const http::RetryPolicy& policy = settings_.retry;
  for (int attempt = 1;; ++attempt) {
    std::optional<std::chrono::milliseconds> retry_after;
    try {
      http::Response response = http_.Send(request);
      if (!http::IsRetryableStatus(response.status) || attempt >= policy.attempts) return response;
      if (auto header = response.Header("retry-after")) retry_after = http::ParseRetryAfter(*header);
      log::Debug("{}: {} (try {} of {}), retrying", what, response.status, attempt, policy.attempts);
    } catch (const http::TransportError& e) {
      if (!e.retryable() || attempt >= policy.attempts) {
        throw Error(ErrorCode::kFailure, what + " failed" + (attempt > 1 ? " after " + std::to_string(attempt) + " attempts" : "") +
                                             ": " + e.what());
      }
      log::Debug("{}: {} (try {} of {}), retrying", what, e.what(), attempt, policy.attempts);
    }
    std::this_thread::sleep_for(policy.Backoff(attempt, retry_after));
  }
}

void Authenticator::LearnChallenge(const http::Response& response) {
  std::vector<http::Challenge> challenges;
  for (const auto& header : response.HeaderAll("www-authenticate")) {
    auto parsed = http::ParseChallenges(header);
    challenges.insert(challenges.end(), parsed.begin(), parsed.end());
  }
  for (const auto& challenge : challenges) {
    if (challenge.scheme == "bearer" && !challenge.Param("realm").empty()) {
      scheme_ = Scheme::kBearer;
      realm_ = challenge.Param("realm");
      service_ = challenge.Param("service");
      return;
    }
  }
  for (const auto& challenge : challenges) {
    if (challenge.scheme == "basic") {
      scheme_ = Scheme::kBasic;
      return;
    }
  }
  throw Error(ErrorCode::kAuth, "the registry answered 401 without a Basic or Bearer challenge");
}

void Authenticator::Ping() {
  http::Request request;
  request.url = base_url_ + "/v2/";
  http::Response response = SendWithRetries(request, "GET " + request.url);
  if (response.status == 401) {
    LearnChallenge(response);
  } else if (response.status >= 200 && response.status < 300) {
    scheme_ = Scheme::kNone;
  } else {
    throw Error(response.status == 404 ? ErrorCode::kNotFound : ErrorCode::kFailure,
                "GET /v2/: " + DescribeErrorResponse(response) + " (is this an OCI registry?)");
  }
}

const Credential& Authenticator::GetCredential(const std::vector<std::string>& scopes) {
  bool stale = credential_ && credential_->kind == Credential::Kind::kBearer && credential_->expires &&
               *credential_->expires <= std::chrono::system_clock::now() + std::chrono::seconds(10);
  if (!credential_ || stale) credential_ = credentials_ ? credentials_(registry_, scopes) : Credential{};
  return *credential_;
}

bool Authenticator::WentAnonymous() {
  std::lock_guard<std::mutex> lock(mutex_);
  return credential_ && credential_->kind == Credential::Kind::kAnonymous;
}

std::string Authenticator::BasicHeader(const Credential& credential) const {
  std::string value = "Basic " + Base64Encode(credential.username + ":" + credential.secret.Reveal());
  RegisterSecret(value.substr(6));
  return value;
}

Authenticator::Token Authenticator::FetchToken(const std::vector<std::string>& scopes, const Credential& credential,
                                               bool offline) {
  std::string realm_host = http::UrlHost(realm_);
  std::string scheme = http::UrlScheme(realm_);
  if (scheme != "https" && scheme != "http") throw Error(ErrorCode::kAuth, "token realm '" + realm_ + "' is not an http(s) URL");
  // SSRF guard: a public registry may not send us to a private address.
  if (IsPrivateHost(realm_host) && !IsPrivateHost(registry_)) {
    throw Error(ErrorCode::kAuth, "refusing token realm " + realm_ + ": a private address, but the registry is not");
  }
  // The same rule where the connection is made: a name that resolves to a
  // private address (metadata.google.internal, a rebinding DNS name) is
  // refused when the socket opens.
  const bool guard = !IsPrivateHost(registry_);
  bool has_secret = credential.kind == Credential::Kind::kBasic || credential.kind == Credential::Kind::kIdentityToken ||
                    !refresh_token_.empty();
  if (scheme == "http" && has_secret && !http::IsLoopbackHost(realm_host) && !settings_.plain_http) {
    throw Error(ErrorCode::kAuth, "refusing to send credentials to token realm " + realm_ + " over plain HTTP");
  }
  std::string refresh = !refresh_token_.empty() ? refresh_token_
                        : credential.kind == Credential::Kind::kIdentityToken ? credential.secret.Reveal()
                                                                              : std::string();
  http::Response response;
  bool used_post = false;
  if (!refresh.empty()) {
    // OAuth2 form (distribution docs/spec/auth/oauth.md).
    std::string scope_text;
    for (const auto& scope : scopes) scope_text += (scope_text.empty() ? "" : " ") + scope;
    http::Request post;
    post.method = "POST";
    post.url = realm_;
    post.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    post.refuse_private_addresses = guard;
    post.body = "grant_type=refresh_token&refresh_token=" + http::UrlEncode(refresh) + "&service=" + http::UrlEncode(service_) +
                "&client_id=berth" + (scope_text.empty() ? "" : "&scope=" + http::UrlEncode(scope_text)) +
                (offline ? "&access_type=offline" : "");
    response = SendWithRetries(post, "POST " + realm_);
    used_post = response.status != 404 && response.status != 405;
  }
  if (!used_post) {
    std::string url = realm_;
    if (!service_.empty()) url = http::AddQuery(url, "service", service_);
    for (const auto& scope : scopes) url = http::AddQuery(url, "scope", scope);
    if (offline && credential.kind == Credential::Kind::kBasic) {
      url = http::AddQuery(url, "offline_token", "true");
      url = http::AddQuery(url, "client_id", "berth");
      url = http::AddQuery(url, "account", credential.username);
    }
    http::Request get;
    get.url = url;
    get.max_buffered_body = 1u << 20;
    get.refuse_private_addresses = guard;
    if (credential.kind == Credential::Kind::kBasic) get.headers = {{"Authorization", BasicHeader(credential)}};
    response = SendWithRetries(get, "GET " + realm_);
  }
  if (response.status == 401 || response.status == 403) {
    std::string who = credential.kind == Credential::Kind::kAnonymous ? "anonymous access" : "the credentials from " + credential.origin;
    throw Error(ErrorCode::kAuth, "token service " + realm_host + " refused " + who + ": " + DescribeErrorResponse(response));
  }
  if (response.status < 200 || response.status >= 300) {
    throw Error(ErrorCode::kAuth, "token service " + realm_host + " failed: " + DescribeErrorResponse(response));
  }
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) throw Error(ErrorCode::kAuth, "token service " + realm_host + " answered something that is not JSON");
  std::string token = body.value("token", "");
  if (token.empty()) token = body.value("access_token", "");
  if (token.empty()) throw Error(ErrorCode::kAuth, "token service " + realm_host + " answered without a token");
  RegisterSecret(token);
  if (auto rt = body.find("refresh_token"); rt != body.end() && rt->is_string() && !rt->get<std::string>().empty()) {
    refresh_token_ = rt->get<std::string>();
    RegisterSecret(refresh_token_);
  }
  int64_t expires_in = 60;
  if (auto e = body.find("expires_in"); e != body.end() && e->is_number()) expires_in = std::max<int64_t>(60, e->get<int64_t>());
  // Renew a little early, so a token does not expire in flight.
  return Token{token, Clock::now() + std::chrono::seconds(expires_in - std::min<int64_t>(30, expires_in / 4)), {}};
}

const Authenticator::Token* Authenticator::Covering(const std::vector<std::string>& scopes) const {
  std::set<std::string> wanted = Grants(scopes);
  auto now = Clock::now();
  for (const auto& [key, token] : tokens_) {
    if (token.expires > now && std::includes(token.grants.begin(), token.grants.end(), wanted.begin(), wanted.end())) return &token;
  }
  return nullptr;
}

std::string Authenticator::Header(const std::vector<std::string>& scopes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (scheme_ == Scheme::kUnknown) Ping();
  if (scheme_ == Scheme::kNone) return "";
  const Credential& credential = GetCredential(scopes);
  if (credential.kind == Credential::Kind::kBearer) {
    RegisterSecret(credential.secret.Reveal());
    return "Bearer " + credential.secret.Reveal();
  }
  if (scheme_ == Scheme::kBasic) {
    if (credential.kind != Credential::Kind::kBasic) return "";
    return BasicHeader(credential);
  }
  if (const Token* token = Covering(scopes)) return "Bearer " + token->value;
  Token token = FetchToken(scopes, credential, false);
  token.grants = Grants(scopes);
  std::string value = token.value;
  tokens_.insert_or_assign(ScopeKey(scopes), std::move(token));
  return "Bearer " + value;
}

bool Authenticator::OnUnauthorized(const http::Response& response, const std::vector<std::string>& scopes) {
  std::lock_guard<std::mutex> lock(mutex_);
  Scheme before = scheme_;
  LearnChallenge(response);
  if (scheme_ == Scheme::kBearer) {
    // Every token that claimed to cover these scopes was refused: forget them.
    while (Covering(scopes) != nullptr) {
      for (auto it = tokens_.begin(); it != tokens_.end(); ++it) {
        if (&it->second == Covering(scopes)) {
          tokens_.erase(it);
          break;
        }
      }
    }
    tokens_.erase(ScopeKey(scopes));
    return true;
  }
  // Basic: trying again helps only if the first request went without credentials.
  const Credential& credential = GetCredential(scopes);
  return before != Scheme::kBasic && credential.kind == Credential::Kind::kBasic;
}

std::optional<SecretValue> Authenticator::Login(const Credential& credential) {
  std::lock_guard<std::mutex> lock(mutex_);
  Ping();
  if (scheme_ == Scheme::kNone) return std::nullopt;
  if (scheme_ == Scheme::kBasic) {
    http::Request request;
    request.url = base_url_ + "/v2/";
    request.headers = {{"Authorization", BasicHeader(credential)}};
    http::Response response = SendWithRetries(request, "GET " + request.url);
    if (response.status == 401 || response.status == 403) {
      throw Error(ErrorCode::kAuth, "wrong username or password: " + DescribeErrorResponse(response));
    }
    if (response.status < 200 || response.status >= 300) throw Error(ErrorCode::kFailure, "GET /v2/: " + DescribeErrorResponse(response));
    return std::nullopt;
  }
  refresh_token_.clear();
  FetchToken({}, credential, true);
  if (refresh_token_.empty()) return std::nullopt;
  return SecretValue(refresh_token_);
}

}  // namespace berth::oci
