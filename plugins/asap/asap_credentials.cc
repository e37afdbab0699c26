#include "asap_credentials.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include "asap_rules.h"
#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"

namespace berth::asap {
namespace {

std::string Trim(std::string text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  size_t end = text.find_last_not_of(" \t\r\n");
  return start == std::string::npos ? "" : text.substr(start, end - start + 1);
}

std::optional<std::string> StringField(const nlohmann::json& json, const char* name, const std::string& file) {
  auto it = json.find(name);
  if (it == json.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw Error(ErrorCode::kInvalidInput, file + ": field '" + name + "' must be a string");
  return it->get<std::string>();
}

// A key id that the data URI also names must agree with it.
void CheckDataUriKid(const std::string& private_key, const std::string& key_id, const std::string& source) {
  if (!jwt::IsDataUri(private_key)) return;
  auto uri_kid = jwt::ParsePkcs8DataUri(private_key, source).Parameter("kid");
  if (uri_kid && *uri_kid != key_id) {
    throw Error(ErrorCode::kInvalidInput, source + ": the key id '" + key_id + "' differs from the kid '" + *uri_kid +
                                              "' inside the private key's data URI");
  }
}

void WarnIfReadableByOthers(const std::filesystem::path& file) {
  struct stat info {};
  if (stat(file.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    log::Warn("{} holds a private key but is readable by others (mode {:o}); run: chmod 600 {}", file.string(),
              info.st_mode & 0777, file.string());
  }
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || value[0] == '\0') return std::nullopt;
    return std::string(value);
  };
}

std::vector<std::string> SplitAudience(const std::string& text) {
  std::vector<std::string> audience;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = Trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) audience.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return audience;
}

AsapCredentials LoadAsapConfig(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::string text = ReadFile(file);
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) throw Error(ErrorCode::kInvalidInput, name + ": not a JSON object (expected an .asap-config)");
  AsapCredentials credentials;
  credentials.source = name;
  auto issuer = StringField(json, "issuer", name);
  auto kid = StringField(json, "kid", name);
  if (!kid) kid = StringField(json, "keyId", name);
  auto private_key = StringField(json, "privateKey", name);
  if (!issuer || issuer->empty()) throw Error(ErrorCode::kInvalidInput, name + ": field 'issuer' is missing");
  if (!kid || kid->empty()) throw Error(ErrorCode::kInvalidInput, name + ": field 'kid' is missing");
  if (!private_key || private_key->empty()) throw Error(ErrorCode::kInvalidInput, name + ": field 'privateKey' is missing");
  SecretValue key_text(std::move(*private_key));
  credentials.issuer = *issuer;
  credentials.key_id = *kid;
  CheckDataUriKid(key_text.Reveal(), credentials.key_id, name + " privateKey");
  credentials.private_key = jwt::LoadPrivateKey(key_text.Reveal(), name + " privateKey");
  credentials.subject = StringField(json, "subject", name);
  credentials.public_key_pem = StringField(json, "publicKey", name);
  if (auto audience = json.find("audience"); audience != json.end() && !audience->is_null()) {
    if (audience->is_string()) {
      credentials.audience = SplitAudience(audience->get<std::string>());
    } else if (audience->is_array() && std::all_of(audience->begin(), audience->end(), [](auto& a) { return a.is_string(); })) {
      credentials.audience = audience->get<std::vector<std::string>>();
    } else {
      throw Error(ErrorCode::kInvalidInput, name + ": field 'audience' must be a string or a list of strings");
    }
  }
  if (auto expiry = json.find("expiry"); expiry != json.end() && !expiry->is_null()) {
    if (!expiry->is_number_integer()) throw Error(ErrorCode::kInvalidInput, name + ": field 'expiry' must be a whole number of seconds");
    credentials.lifetime_seconds = expiry->get<int64_t>();
  }
  // Scrub the parsed copy of the key; `text` goes with it.
  json.clear();
  std::fill(text.begin(), text.end(), '\0');
  WarnIfReadableByOthers(file);
  return credentials;
}

std::optional<AsapCredentials> CredentialsFromEnvironment(const EnvLookup& env) {
  auto private_key = env("ASAP_PRIVATE_KEY");
  if (!private_key) return std::nullopt;
  SecretValue key_text(std::move(*private_key));
  const std::string source = "the ASAP_* environment";
  AsapCredentials credentials;
  credentials.source = source;
  auto issuer = env("ASAP_ISSUER");
  if (!issuer) throw Error(ErrorCode::kAuth, "ASAP_PRIVATE_KEY is set but ASAP_ISSUER is not");
  credentials.issuer = *issuer;
  auto kid = env("ASAP_KEY_ID");
  if (!kid) kid = env("ASAP_KID");
  if (!kid && jwt::IsDataUri(key_text.Reveal())) kid = jwt::ParsePkcs8DataUri(key_text.Reveal(), "ASAP_PRIVATE_KEY").Parameter("kid");
  if (!kid) throw Error(ErrorCode::kAuth, "ASAP_PRIVATE_KEY is set but neither ASAP_KEY_ID nor ASAP_KID is");
  credentials.key_id = *kid;
  CheckDataUriKid(key_text.Reveal(), credentials.key_id, "ASAP_PRIVATE_KEY");
  credentials.private_key = jwt::LoadPrivateKey(key_text.Reveal(), "ASAP_PRIVATE_KEY");
  if (auto audience = env("ASAP_AUDIENCE")) credentials.audience = SplitAudience(*audience);
  credentials.subject = env("ASAP_SUBJECT");
  return credentials;
}

AsapCredentials ResolveCredentials(const std::optional<std::filesystem::path>& config_file, const EnvLookup& env) {
  if (config_file) return LoadAsapConfig(*config_file);
  if (auto from_env = CredentialsFromEnvironment(env)) return std::move(*from_env);
  std::error_code error;
  if (std::filesystem::exists(kDefaultConfigFile, error)) return LoadAsapConfig(kDefaultConfigFile);
  throw Error(ErrorCode::kAuth,
              "no ASAP credentials: pass --config FILE, set ASAP_ISSUER, ASAP_KEY_ID and ASAP_PRIVATE_KEY, "
              "or create ./.asap-config with berth asap keygen");
}

SecretValue AsapConfigJson(const std::string& issuer, const std::string& key_id, const std::vector<std::string>& audience,
                           int64_t lifetime_seconds, const jwt::PrivateKey& key) {
  nlohmann::json json = {{"issuer", issuer}, {"kid", key_id}};
  if (audience.size() == 1) {
    json["audience"] = audience[0];
  } else {
    json["audience"] = audience;
  }
  json["expiry"] = lifetime_seconds;
  SecretValue private_pem = key.Pkcs8Pem();
  json["privateKey"] = private_pem.Reveal();
  json["publicKey"] = key.Public().Pem();
  SecretValue text(json.dump(2) + "\n");
  json["privateKey"] = "";
  return text;
}

}  // namespace berth::asap
