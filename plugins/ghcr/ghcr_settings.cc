#include "ghcr_settings.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <set>

#include "berth/error.h"
#include "berth/http/url.h"
#include "berth/oci/host_registry.h"
#include "berth/oci/reference.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"

namespace berth::ghcr {
namespace {

std::string StringSetting(const nlohmann::json& settings, const std::string& key) {
  auto it = settings.find(key);
  if (it == settings.end() || it->is_null()) return "";
  if (!it->is_string()) throw Error(ErrorCode::kInvalidInput, "ghcr settings: '" + key + "' must be a string");
  return it->get<std::string>();
}

std::string TrimTrailing(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.pop_back();
  return text;
}

// This machine by address (127.0.0.0/8, [::1]) or the name localhost, as
// berth's HTTP client parses the URL: "127.evil.example" is a DNS name and
// "[2001:db8::1]" another machine.
bool IsLoopbackUrl(const std::string& url) {
  std::string host = http::UrlHost(url);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!host.empty() && host[0] == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    host.resize(colon);
  }
  if (host == "localhost" || host == "[::1]") return true;
  in_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

}  // namespace

std::string DefaultApiUrl(const std::string& registry_host) {
  // GitHub Enterprise Server serves its registry on containers.HOST and its API on HOST/api/v3.
  if (registry_host.starts_with("containers.")) return "https://" + registry_host.substr(11) + "/api/v3";
  return "https://api.github.com";
}

GhcrSettings GhcrSettings::WithHost(const std::string& host) const {
  GhcrSettings copy = *this;
  copy.registry_host = oci::NormalizeRegistryHost(host);
  if (!api_url_explicit) copy.api_url = DefaultApiUrl(copy.registry_host);
  return copy;
}

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

GhcrSettings GhcrSettings::Parse(const nlohmann::json& settings, const EnvFn& env) {
  // Keys and types were checked against GhcrSchema() (by the host, or by
  // CheckGhcrSettings for registries.yaml's settings).
  if (!settings.is_null() && !settings.is_object()) throw Error(ErrorCode::kInvalidInput, "ghcr settings must be a mapping");
  GhcrSettings out;
  const nlohmann::json& s = settings.is_object() ? settings : nlohmann::json::object();
  if (std::string host = StringSetting(s, "registry"); !host.empty()) out.registry_host = oci::NormalizeRegistryHost(host);
  else if (auto host_env = env("BERTH_GHCR_HOST")) out.registry_host = oci::NormalizeRegistryHost(*host_env);

  out.api_url = StringSetting(s, "api-url");
  if (out.api_url.empty()) out.api_url = StringSetting(s, "api-base");
  if (out.api_url.empty()) out.api_url = env("BERTH_GHCR_API_URL").value_or("");
  if (out.api_url.empty()) out.api_url = env("GITHUB_API_URL").value_or("");
  out.api_url_explicit = !out.api_url.empty();
  if (out.api_url.empty()) out.api_url = DefaultApiUrl(out.registry_host);
  if (!out.api_url.starts_with("https://") && !out.api_url.starts_with("http://")) {
    throw Error(ErrorCode::kInvalidInput, "ghcr settings: api-url '" + out.api_url + "' is not an http(s) URL");
  }
  while (out.api_url.ends_with("/")) out.api_url.pop_back();
  if (out.api_url.starts_with("http://")) {
    // The token goes with every request: plain HTTP only to this machine (tests, a local proxy).
    if (!IsLoopbackUrl(out.api_url)) {
      throw Error(ErrorCode::kInvalidInput, "ghcr settings: api-url '" + out.api_url + "' is plain HTTP to another machine; use https://");
    }
  }

  out.token_file = StringSetting(s, "token-file");
  if (out.token_file.empty()) out.token_file = env("BERTH_GHCR_TOKEN_FILE").value_or("");
  out.username = StringSetting(s, "username");
  if (out.username.empty()) out.username = env("GITHUB_ACTOR").value_or("berth");
  out.owner_type = StringSetting(s, "owner-type");
  if (!out.owner_type.empty() && out.owner_type != "org" && out.owner_type != "user") {
    throw Error(ErrorCode::kInvalidInput, "ghcr settings: owner-type must be 'org' or 'user', not '" + out.owner_type + "'");
  }
  if (auto it = s.find("rate-limit-wait"); it != s.end()) {
    int64_t seconds = -1;
    if (it->is_number_integer()) seconds = it->get<int64_t>();
    else if (it->is_string()) {
      try {
        size_t used = 0;
        seconds = std::stoll(it->get<std::string>(), &used);
        if (used != it->get<std::string>().size()) seconds = -1;
      } catch (...) {
        seconds = -1;
      }
    }
    if (seconds < 0 || seconds > 3600) {
      throw Error(ErrorCode::kInvalidInput, "ghcr settings: rate-limit-wait must be a number of seconds from 0 to 3600");
    }
    out.rate_limit_wait = std::chrono::seconds(seconds);
  }
  out.ca_file = StringSetting(s, "ca-file");
  out.repository = StringSetting(s, "repository");
  out.environment = StringSetting(s, "environment");
  return out;
}

std::optional<FoundToken> FindToken(const GhcrSettings& settings, bool docker_config, const EnvFn& env) {
  if (!settings.token_file.empty()) {
    struct stat info {};
    if (::stat(settings.token_file.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
      log::Warn("token file {} is readable by others (mode {:o}); chmod 600 it", settings.token_file, info.st_mode & 0777);
    }
    std::string token = TrimTrailing(ReadFile(settings.token_file));
    if (token.empty()) throw Error(ErrorCode::kAuth, "token file " + settings.token_file + " is empty");
    RegisterSecret(token);
    return FoundToken{SecretValue(std::move(token)), settings.token_file};
  }
  std::vector<std::string> names;
  if (settings.registry_host != kDefaultHost) names = {"GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"};
  names.insert(names.end(), {"GH_TOKEN", "GITHUB_TOKEN"});
  for (const auto& name : names) {
    if (auto value = env(name)) {
      std::string token = TrimTrailing(*value);
      if (token.empty()) continue;
      RegisterSecret(token);
      return FoundToken{SecretValue(std::move(token)), name};
    }
  }
  if (docker_config) {
    // The host's lookup: docker config, credential helpers, auth.json (after
    // this plugin's own registry, which found nothing above either).
    oci::Credential credential = oci::HostRegistry::CredentialFor(settings.registry_host);
    if (credential.kind == oci::Credential::Kind::kBasic && !credential.secret.empty()) {
      return FoundToken{credential.secret, "docker config (" + credential.origin + ")"};
    }
  }
  return std::nullopt;
}

ApiOptions MakeApiOptions(const GhcrSettings& settings, const std::optional<FoundToken>& token) {
  ApiOptions options;
  options.base_url = settings.api_url;
  if (token) {
    options.token = token->token;
    options.token_origin = token->origin;
  }
  options.ca_file = settings.ca_file;
  options.max_rate_limit_wait = settings.rate_limit_wait;
  return options;
}

}  // namespace berth::ghcr
