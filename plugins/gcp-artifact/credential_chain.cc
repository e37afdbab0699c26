#include "credential_chain.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

#include "berth/error.h"
#include "berth/http/url.h"
#include "berth/util/jwt.h"
#include "berth/util/log.h"
#include "berth/util/process.h"
#include "berth/util/redact.h"
#include "google_http.h"
#include "service_account_key.h"

namespace berth::gcp {
namespace {

using Clock = std::chrono::system_clock;

constexpr char kJwtBearerGrant[] = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr char kDefaultMetadataHost[] = "metadata.google.internal";
// gcloud prints no lifetime; its tokens live an hour, of which an unknown
// part is gone. Reused for a few minutes only.
constexpr std::chrono::seconds kCliTokenLifetime{600};

std::string JoinScopes(const std::vector<std::string>& scopes, char separator) {
  std::string joined;
  for (const auto& scope : scopes) joined += (joined.empty() ? "" : std::string(1, separator)) + scope;
  return joined;
}

// Still good for this run: more than five minutes left, or more than half of
// a short lifetime (Google refreshes early too).
bool Fresh(const TokenCache::Entry& entry) {
  auto margin = std::min<std::chrono::seconds>(std::chrono::seconds(300), entry.lifetime / 2);
  return Clock::now() + margin < entry.token.expires;
}

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return Redact(line.size() > 300 ? line.substr(0, 300) + "..." : line);
}

std::string Trimmed(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

AccessToken TokenFromAnswer(const http::HostResponse& response, const std::string& what, std::string source,
                            std::string account, std::chrono::seconds* lifetime) {
  nlohmann::json body = ParseJsonBody(response, what);
  auto token = body.find("access_token");
  if (token == body.end() || !token->is_string() || token->get<std::string>().empty()) {
    throw Error(ErrorCode::kAuth, what + ": the answer has no access_token");
  }
  int64_t expires_in = body.value("expires_in", int64_t(3600));
  if (expires_in <= 0) expires_in = 60;
  *lifetime = std::chrono::seconds(expires_in);
  return AccessToken{SecretValue(token->get<std::string>()), Clock::now() + *lifetime, std::move(source), std::move(account)};
}

}  // namespace

CredentialEnvironment CredentialEnvironment::Process() {
  CredentialEnvironment environment;
  environment.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
  environment.find_program = [](const std::string& program) { return FindProgram(program); };
  return environment;
}

std::shared_ptr<TokenCache> SharedTokenCache() {
  static auto cache = std::make_shared<TokenCache>();
  return cache;
}

std::string NoCredentialsHint() {
  return "no Google credentials: pass --key-file or set key-file (a service-account key), set "
         "GOOGLE_APPLICATION_CREDENTIALS, log in with gcloud, or on Google Cloud set GCE_METADATA_HOST or metadata: true "
         "(see docs/gcp-artifact.md)";
}

CredentialChain::CredentialChain(GcpSettings settings, CredentialEnvironment environment, std::shared_ptr<TokenCache> cache)
    : settings_(std::move(settings)), environment_(std::move(environment)), cache_(std::move(cache)) {
  retry_.attempts = 4;
}

std::optional<std::string> MetadataHost(const GcpSettings& settings, const CredentialEnvironment& environment) {
  if (settings.metadata == MetadataMode::kNever) return std::nullopt;
  if (auto configured = environment.getenv("GCE_METADATA_HOST")) return *configured;
  if (settings.metadata == MetadataMode::kAlways) return kDefaultMetadataHost;
  // What google-auth checks before it probes: the VM's DMI product name.
  std::ifstream dmi(environment.dmi_product_name);
  std::string product;
  std::getline(dmi, product);
  if (product.rfind("Google", 0) == 0) return kDefaultMetadataHost;
  return std::nullopt;
}

std::vector<CredentialChain::Candidate> CredentialChain::Candidates(const std::string& registry_host) {
  std::vector<Candidate> candidates;
  const std::string scopes = JoinScopes(settings_.scopes, ' ');
  auto add_key_file = [&](const std::string& path, const std::string& name) {
    candidates.push_back({"key:" + path + "|" + settings_.token_uri + "|" + scopes, name, false,
                          [this, path] { return FromKeyFile(path); }});
  };
  if (!settings_.key_file.empty()) add_key_file(settings_.key_file, "key file " + settings_.key_file);
  if (auto path = environment_.getenv("GOOGLE_APPLICATION_CREDENTIALS")) {
    add_key_file(*path, "GOOGLE_APPLICATION_CREDENTIALS (" + *path + ")");
  }
  if (settings_.gcloud) {
    if (auto gcloud = environment_.find_program("gcloud")) {
      candidates.push_back({"gcloud:" + gcloud->string(), "gcloud", true, [this, gcloud = *gcloud] { return FromGcloud(gcloud); }});
    }
    if (auto helper = environment_.find_program("docker-credential-gcloud")) {
      candidates.push_back({"helper:" + helper->string(), "docker-credential-gcloud", true,
                            [this, helper = *helper, registry_host] { return FromCredentialHelper(helper, registry_host); }});
    }
  }
  if (auto host = MetadataHost(settings_, environment_)) {
    candidates.push_back({"metadata:" + *host + "|" + scopes, "metadata server " + *host, false,
                          [this, host = *host] { return FromMetadata(host); }});
  }
  return candidates;
}

std::optional<AccessToken> CredentialChain::Find(const std::string& registry_host) {
  std::lock_guard<std::mutex> lock(cache_->mutex());
  std::string skipped;
  for (auto& candidate : Candidates(registry_host)) {
    auto& entries = cache_->entries();
    if (auto it = entries.find(candidate.cache_key); it != entries.end() && Fresh(it->second)) return it->second.token;
    if (auto it = cache_->skipped().find(candidate.cache_key); it != cache_->skipped().end()) {
      skipped += (skipped.empty() ? "" : "; ") + it->second;
      continue;
    }
    try {
      AccessToken token = candidate.fetch();
      auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(token.expires - Clock::now());
      entries[candidate.cache_key] = TokenCache::Entry{token, lifetime};
      log::Debug("Google access token from {} (valid {} s)", token.source, lifetime.count());
      return token;
    } catch (const Error& error) {
      if (!candidate.may_fall_through) throw;
      log::Debug("{} gave no token: {}", candidate.name, Redact(error.what()));
      cache_->skipped()[candidate.cache_key] = error.what();
      skipped += (skipped.empty() ? "" : "; ") + std::string(error.what());
    }
  }
  if (!skipped.empty()) throw Error(ErrorCode::kAuth, "no Google access token: " + skipped);
  return std::nullopt;
}

AccessToken CredentialChain::Get(const std::string& registry_host) {
  if (auto token = Find(registry_host)) return std::move(*token);
  throw Error(ErrorCode::kAuth, NoCredentialsHint());
}

void CredentialChain::Invalidate(const AccessToken& token) {
  std::lock_guard<std::mutex> lock(cache_->mutex());
  auto& entries = cache_->entries();
  for (auto it = entries.begin(); it != entries.end();) {
    it = it->second.token.token.Reveal() == token.token.Reveal() ? entries.erase(it) : std::next(it);
  }
}

AccessToken CredentialChain::FromKeyFile(const std::string& path) {
  ServiceAccountKey key = LoadServiceAccountKey(path);
  const std::string token_uri = settings_.token_uri.empty() ? key.token_uri : settings_.token_uri;
  CheckApiUrl(token_uri, path + ": token_uri");
  const std::string what = "token endpoint " + token_uri;
  http::HostRequest request;
  request.method = "POST";
  request.url = token_uri;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  // A retried request carries the same assertion: it stays valid for an hour.
  SecretValue assertion(MakeJwtAssertion(key, settings_.scopes, token_uri, jwt::NowSeconds()));
  request.body = std::string("grant_type=") + http::UrlEncode(kJwtBearerGrant) + "&assertion=" + assertion.Reveal();
  http::HostResponse response;
  try {
    response = SendWithRetry(request, retry_);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kFailure) throw;
    throw Error(ErrorCode::kAuth, what + ": " + Redact(error.what()));
  }
  if (response.status / 100 != 2) {
    throw Error(ErrorCode::kAuth, what + " refused service account " + key.client_email + " (" + path + "): HTTP " +
                                      std::to_string(response.status) + " " + GoogleErrorMessage(response));
  }
  std::chrono::seconds lifetime;
  return TokenFromAnswer(response, what, "service-account key " + path, key.client_email, &lifetime);
}

AccessToken CredentialChain::FromGcloud(const std::filesystem::path& gcloud) {
  ProcessOptions options;
  options.timeout = std::chrono::seconds(60);
  options.env_set = {{"CLOUDSDK_CORE_DISABLE_PROMPTS", "1"}};
  ProcessResult result = RunProcess({gcloud.string(), "auth", "print-access-token"}, options);
  std::string token = Trimmed(result.stdout_data);
  if (result.exit_code != 0 || token.empty() || token.find_first_of(" \n") != std::string::npos) {
    std::string reason = result.timed_out ? "timed out" : FirstLine(result.stderr_data);
    throw Error(ErrorCode::kAuth, "gcloud auth print-access-token failed (exit " + std::to_string(result.exit_code) + ")" +
                                      (reason.empty() ? "" : ": " + reason));
  }
  return AccessToken{SecretValue(std::move(token)), Clock::now() + kCliTokenLifetime, "gcloud", ""};
}

AccessToken CredentialChain::FromCredentialHelper(const std::filesystem::path& helper, const std::string& registry_host) {
  ProcessOptions options;
  options.timeout = std::chrono::seconds(60);
  options.stdin_data = "https://" + (registry_host.empty() ? std::string("us-docker.pkg.dev") : registry_host);
  ProcessResult result = RunProcess({helper.string(), "get"}, options);
  nlohmann::json answer = nlohmann::json::parse(result.stdout_data, nullptr, /*allow_exceptions=*/false);
  if (result.exit_code != 0 || !answer.is_object() || !answer.contains("Secret") || !answer["Secret"].is_string() ||
      answer["Secret"].get<std::string>().empty()) {
    std::string reason = FirstLine(result.exit_code != 0 ? result.stdout_data + result.stderr_data : std::string());
    throw Error(ErrorCode::kAuth, "docker-credential-gcloud get failed (exit " + std::to_string(result.exit_code) + ")" +
                                      (reason.empty() ? "" : ": " + reason));
  }
  return AccessToken{SecretValue(answer["Secret"].get<std::string>()), Clock::now() + kCliTokenLifetime,
                     "docker-credential-gcloud", ""};
}

AccessToken CredentialChain::FromMetadata(const std::string& host) {
  const std::string what = "metadata server " + host;
  http::HostRequest request;
  request.url = "http://" + host + "/computeMetadata/v1/instance/service-accounts/default/token";
  if (settings_.scopes != std::vector<std::string>{kCloudPlatformScope}) {
    request.url = http::AddQuery(request.url, "scopes", JoinScopes(settings_.scopes, ','));
  }
  request.headers = {{"Metadata-Flavor", "Google"}};
  http::HostResponse response;
  try {
    response = SendWithRetry(request, retry_);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kFailure) throw;
    throw Error(ErrorCode::kAuth, what + ": " + Redact(error.what()));
  }
  if (response.status != 200) {
    throw Error(ErrorCode::kAuth, what + " gave no token: HTTP " + std::to_string(response.status));
  }
  std::chrono::seconds lifetime;
  return TokenFromAnswer(response, what, what, "", &lifetime);
}

}  // namespace berth::gcp
