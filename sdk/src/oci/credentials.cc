#include "berth/oci/credentials.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "berth/error.h"
#include "berth/oci/reference.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth/util/redact.h"

namespace berth::oci {
namespace fs = std::filesystem;
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// "https://host/v1/", "http://host", "host/path" -> normalised host.
std::string KeyHost(std::string key) {
  if (size_t scheme = key.find("://"); scheme != std::string::npos) key = key.substr(scheme + 3);
  if (size_t slash = key.find('/'); slash != std::string::npos) key = key.substr(0, slash);
  return NormalizeRegistryHost(key);
}

nlohmann::json LoadJsonFile(const fs::path& path) {
  if (!fs::exists(path)) return nlohmann::json::object();
  nlohmann::json json = nlohmann::json::parse(ReadFile(path), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    throw Error(ErrorCode::kInvalidInput, path.string() + ": not a JSON object");
  }
  return json;
}

const nlohmann::json* FindAuthEntry(const nlohmann::json& config, const std::string& registry) {
  auto auths = config.find("auths");
  if (auths == config.end() || !auths->is_object()) return nullptr;
  std::string host = NormalizeRegistryHost(registry);
  // An exact key first, then any key naming the same host.
  if (auto exact = auths->find(DockerConfigKey(registry)); exact != auths->end() && exact->is_object()) return &*exact;
  for (auto it = auths->begin(); it != auths->end(); ++it) {
    if (it->is_object() && KeyHost(it.key()) == host) return &*it;
  }
  return nullptr;
}

std::optional<Credential> FromAuthEntry(const nlohmann::json& entry, const std::string& origin) {
  Credential credential;
  credential.origin = origin;
  auto text = [&](const char* name) {
    auto it = entry.find(name);
    return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string username = text("username"), password = text("password");
  if (std::string auth = text("auth"); !auth.empty()) {
    auto decoded = Base64Decode(auth);
    if (!decoded || decoded->find(':') == std::string::npos) {
      throw Error(ErrorCode::kInvalidInput, origin + ": an 'auth' entry is not base64 of user:password");
    }
    username = decoded->substr(0, decoded->find(':'));
    password = decoded->substr(decoded->find(':') + 1);
    RegisterSecret(*decoded);
    RegisterSecret(auth);
  }
  if (std::string identity = text("identitytoken"); !identity.empty()) {
    credential.kind = Credential::Kind::kIdentityToken;
    credential.username = username;
    credential.secret = SecretValue(identity);
    return credential;
  }
  if (std::string token = text("registrytoken"); !token.empty()) {
    credential.kind = Credential::Kind::kBearer;
    credential.secret = SecretValue(token);
    return credential;
  }
  if (username.empty() && password.empty()) return std::nullopt;
  credential.kind = Credential::Kind::kBasic;
  credential.username = username;
  credential.secret = SecretValue(password);
  return credential;
}

std::string HelperProgram(const std::string& name, const std::string& origin) {
  std::string program = "docker-credential-" + name;
  if (!FindProgram(program)) {
    throw Error(ErrorCode::kAuth, "credential helper " + program + " (configured in " + origin + ") is not in PATH");
  }
  return program;
}

std::optional<Credential> FromHelper(const std::string& name, const std::string& registry, const std::string& origin) {
  std::string program = HelperProgram(name, origin);
  ProcessOptions options;
  options.stdin_data = DockerConfigKey(registry);
  options.timeout = std::chrono::seconds(60);
  ProcessResult result = RunProcess({program, "get"}, options);
  if (result.exit_code != 0) {
    std::string message = result.stdout_data.empty() ? result.stderr_data : result.stdout_data;
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
    if (message.find("credentials not found") != std::string::npos) return std::nullopt;
    throw Error(ErrorCode::kAuth, program + " get " + DockerConfigKey(registry) + " failed: " + Redact(message.substr(0, 200)));
  }
  nlohmann::json answer = nlohmann::json::parse(result.stdout_data, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) {
    throw Error(ErrorCode::kAuth, program + " get " + DockerConfigKey(registry) + ": answer is not JSON");
  }
  Credential credential;
  credential.origin = program;
  credential.username = answer.value("Username", "");
  std::string secret = answer.value("Secret", "");
  RegisterSecret(secret);
  if (credential.username.empty() && secret.empty()) return std::nullopt;
  credential.kind = credential.username == "<token>" ? Credential::Kind::kIdentityToken : Credential::Kind::kBasic;
  credential.secret = SecretValue(std::move(secret));
  return credential;
}

std::optional<std::string> HelperFor(const nlohmann::json& config, const std::string& registry) {
  if (auto helpers = config.find("credHelpers"); helpers != config.end() && helpers->is_object()) {
    std::string host = NormalizeRegistryHost(registry);
    for (auto it = helpers->begin(); it != helpers->end(); ++it) {
      if (KeyHost(it.key()) == host && it->is_string()) return it->get<std::string>();
    }
  }
  if (auto store = config.find("credsStore"); store != config.end() && store->is_string() && !store->get<std::string>().empty()) {
    return store->get<std::string>();
  }
  return std::nullopt;
}

std::optional<Credential> FromDockerConfig(const nlohmann::json& config, const std::string& registry, const std::string& origin) {
  if (auto helper = HelperFor(config, registry)) {
    if (auto credential = FromHelper(*helper, registry, origin)) return credential;
  }
  if (const nlohmann::json* entry = FindAuthEntry(config, registry)) return FromAuthEntry(*entry, origin);
  return std::nullopt;
}

}  // namespace

CredentialStore::CredentialStore() {
  std::string docker_dir = Env("DOCKER_CONFIG");
  if (docker_dir.empty()) docker_dir = (fs::path(Env("HOME")) / ".docker").string();
  docker_config_ = fs::path(docker_dir) / "config.json";
  std::string auth_file = Env("REGISTRY_AUTH_FILE");
  if (auth_file.empty() && !Env("XDG_RUNTIME_DIR").empty()) auth_file = (fs::path(Env("XDG_RUNTIME_DIR")) / "containers" / "auth.json").string();
  auth_file_ = auth_file;
}

Credential CredentialStore::Lookup(const std::string& registry) const {
  if (std::string inline_config = Env("DOCKER_AUTH_CONFIG"); !inline_config.empty()) {
    nlohmann::json config = nlohmann::json::parse(inline_config, nullptr, false);
    if (config.is_discarded() || !config.is_object()) throw Error(ErrorCode::kInvalidInput, "DOCKER_AUTH_CONFIG is not a JSON object");
    if (auto credential = FromDockerConfig(config, registry, "DOCKER_AUTH_CONFIG")) return std::move(*credential);
  }
  if (auto credential = FromDockerConfig(LoadJsonFile(docker_config_), registry, docker_config_.string())) return std::move(*credential);
  if (!auth_file_.empty()) {
    if (auto credential = FromDockerConfig(LoadJsonFile(auth_file_), registry, auth_file_.string())) return std::move(*credential);
  }
  return Credential{};
}

std::string CredentialStore::Store(const std::string& registry, const std::string& username, const SecretValue& secret,
                                   bool identity_token) const {
  nlohmann::json config = LoadJsonFile(docker_config_);
  if (auto helper = HelperFor(config, registry)) {
    std::string program = HelperProgram(*helper, docker_config_.string());
    nlohmann::json payload = {{"ServerURL", DockerConfigKey(registry)},
                              {"Username", identity_token ? std::string("<token>") : username},
                              {"Secret", secret.Reveal()}};
    ProcessOptions options;
    options.stdin_data = payload.dump();
    options.timeout = std::chrono::seconds(60);
    ProcessResult result = RunProcess({program, "store"}, options);
    if (result.exit_code != 0) {
      std::string message = result.stdout_data.empty() ? result.stderr_data : result.stdout_data;
      throw Error(ErrorCode::kAuth, program + " store failed: " + Redact(message.substr(0, 200)));
    }
    return program;
  }
  nlohmann::json entry;
  if (identity_token) {
    entry = DockerAuthEntry(username, SecretValue(""));
    entry["identitytoken"] = secret.Reveal();
  } else {
    entry = DockerAuthEntry(username, secret);
  }
  // Drop any other key naming the same host, so lookups cannot find a stale one.
  if (config.contains("auths") && config["auths"].is_object()) {
    std::vector<std::string> stale;
    for (auto it = config["auths"].begin(); it != config["auths"].end(); ++it) {
      if (KeyHost(it.key()) == NormalizeRegistryHost(registry)) stale.push_back(it.key());
    }
    for (const auto& key : stale) config["auths"].erase(key);
  }
  config["auths"][DockerConfigKey(registry)] = entry;
  CreateDirectories(docker_config_.parent_path(), 0700);
  WriteFileAtomic(docker_config_, config.dump(1, '\t') + "\n", 0600);
  return docker_config_.string();
}

bool CredentialStore::Erase(const std::string& registry) const {
  nlohmann::json config = LoadJsonFile(docker_config_);
  bool erased = false;
  if (auto helper = HelperFor(config, registry)) {
    std::string program = HelperProgram(*helper, docker_config_.string());
    ProcessOptions options;
    options.stdin_data = DockerConfigKey(registry);
    options.timeout = std::chrono::seconds(60);
    ProcessResult result = RunProcess({program, "erase"}, options);
    erased = result.exit_code == 0;
  }
  if (config.contains("auths") && config["auths"].is_object()) {
    std::vector<std::string> keys;
    for (auto it = config["auths"].begin(); it != config["auths"].end(); ++it) {
      if (KeyHost(it.key()) == NormalizeRegistryHost(registry)) keys.push_back(it.key());
    }
    for (const auto& key : keys) config["auths"].erase(key);
    if (!keys.empty()) {
      WriteFileAtomic(docker_config_, config.dump(1, '\t') + "\n", 0600);
      erased = true;
    }
  }
  return erased;
}

}  // namespace berth::oci
