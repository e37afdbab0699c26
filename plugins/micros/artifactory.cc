#include "artifactory.h"

#include <cstdlib>
#include <regex>

#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"

namespace berth::micros {
namespace fs = std::filesystem;
namespace {

// The docker reference grammar's tag: [\w][\w.-]{0,127}.
const std::regex kTag("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

// "https://docker.atl-paas.net/v1/" -> "docker.atl-paas.net": docker login
// has written auths keys in each of these shapes over the years.
std::string HostOfAuthKey(std::string key) {
  for (const char* scheme : {"https://", "http://"}) {
    if (key.rfind(scheme, 0) == 0) key = key.substr(std::string(scheme).size());
  }
  return key.substr(0, key.find('/'));
}

std::optional<BasicCredentials> FromEnvironment(const CredentialSources& sources) {
  auto user = sources.getenv(kUserEnv);
  auto token = sources.getenv(kTokenEnv);
  bool has_user = user && !user->empty();
  bool has_token = token && !token->empty();
  if (!has_user && !has_token) return std::nullopt;
  if (!has_user || !has_token) {
    throw Error(ErrorCode::kAuth, std::string(has_user ? kUserEnv : kTokenEnv) + " is set but " +
                                      (has_user ? kTokenEnv : kUserEnv) + " is not (set both: staff id and identity token)");
  }
  return BasicCredentials{*user, SecretValue(*token), "environment (" + std::string(kUserEnv) + ", " + kTokenEnv + ")"};
}

std::optional<BasicCredentials> FromDockerConfig(const std::string& host, const fs::path& file) {
  if (file.empty() || !fs::exists(file)) return std::nullopt;
  const std::string where = file.string();
  SecretValue text(ReadFile(file));
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(text.Reveal());
  } catch (const nlohmann::json::parse_error&) {
    // The parser's message can quote the file, tokens included.
    throw Error(ErrorCode::kAuth, where + ": not valid JSON");
  }
  if (!config.is_object()) throw Error(ErrorCode::kAuth, where + ": expected a JSON object");
  if (config.contains("auths") && config["auths"].is_object()) {
    for (auto& [key, entry] : config["auths"].items()) {
      if (HostOfAuthKey(key) != host || !entry.is_object()) continue;
      if (entry.contains("auth") && entry["auth"].is_string() && !entry["auth"].get<std::string>().empty()) {
        auto decoded = Base64Decode(entry["auth"].get<std::string>());
        size_t colon = decoded ? decoded->find(':') : std::string::npos;
        if (colon == std::string::npos || colon == 0 || colon + 1 == decoded->size()) {
          throw Error(ErrorCode::kAuth, where + ": auths[\"" + key + "\"].auth is not base64 of staffid:token");
        }
        BasicCredentials credentials{decoded->substr(0, colon), SecretValue(decoded->substr(colon + 1)), where};
        SecretValue wipe(std::move(*decoded));
        return credentials;
      }
      // An init-capture: clang 14 cannot capture a structured binding by [&].
      auto field = [&entry = entry](const char* name) {
        return entry.contains(name) && entry[name].is_string() ? entry[name].get<std::string>() : std::string();
      };
      std::string username = field("username");
      std::string password = field("password").empty() ? field("identitytoken") : field("password");
      if (!username.empty() && !password.empty()) return BasicCredentials{username, SecretValue(password), where};
      if (!password.empty()) {
        throw Error(ErrorCode::kAuth, where + ": auths[\"" + key + "\"] has a token but no username (the staff id)");
      }
    }
  }
  // docker login with a credential store leaves only an empty auths entry;
  // the generic lookup runs the helper.
  return std::nullopt;
}

}  // namespace

std::string AppTag(const std::string& version) {
  if (version.empty()) throw Error(ErrorCode::kInvalidInput, "an app-<version> tag needs a version");
  std::string tag = "app-" + version;
  for (char& c : tag) {
    if (c == '+') c = '_';
  }
  if (!std::regex_match(tag, kTag)) {
    throw Error(ErrorCode::kInvalidInput, "version '" + version + "' does not make a valid docker tag (letters, digits, '_', '.', '-', '+'; at most 124 characters)");
  }
  return tag;
}

std::optional<std::string> VersionFromAppTag(const std::string& tag) {
  if (tag.rfind("app-", 0) != 0 || tag.size() == 4 || !std::regex_match(tag, kTag)) return std::nullopt;
  return tag.substr(4);
}

CredentialSources DefaultCredentialSources() {
  CredentialSources sources;
  sources.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value != nullptr && *value != '\0' ? std::optional<std::string>(value) : std::nullopt;  // Empty is unset.
  };
  const char* docker_config = std::getenv("DOCKER_CONFIG");
  const char* home = std::getenv("HOME");
  if (docker_config != nullptr && docker_config[0] != '\0') {
    sources.docker_config = fs::path(docker_config) / "config.json";
  } else if (home != nullptr && home[0] != '\0') {
    sources.docker_config = fs::path(home) / ".docker" / "config.json";
  }
  return sources;
}

std::optional<BasicCredentials> FindCredentials(const std::string& host, const CredentialSources& sources) {
  if (auto credentials = FromEnvironment(sources)) return credentials;
  return FromDockerConfig(host, sources.docker_config);
}

}  // namespace berth::micros
