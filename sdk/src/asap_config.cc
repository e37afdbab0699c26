#include "berth/util/asap_config.h"

#include <sys/stat.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"

namespace berth::asap {
namespace {

std::string Trim(const std::string& text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  size_t end = text.find_last_not_of(" \t\r\n");
  return start == std::string::npos ? "" : text.substr(start, end - start + 1);
}

std::optional<std::string> StringField(const nlohmann::json& json, const char* name, const std::string& source) {
  auto it = json.find(name);
  if (it == json.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw Error(ErrorCode::kInvalidInput, source + ": field '" + name + "' must be a string");
  return it->get<std::string>();
}

std::string RequiredField(const nlohmann::json& json, const char* name, const std::string& source) {
  auto value = StringField(json, name, source);
  if (!value || value->empty()) throw Error(ErrorCode::kInvalidInput, source + ": field '" + name + "' is missing");
  return std::move(*value);
}

// Scrubs every string of a parsed config: the private key was one of them.
void Scrub(nlohmann::json& json) {
  for (auto& item : json) {
    if (item.is_string()) {
      auto& text = item.get_ref<std::string&>();
      std::fill(text.begin(), text.end(), '\0');
    }
  }
  json.clear();
}

}  // namespace

bool IsAsapConfigText(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{';
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

void CheckDataUriKid(std::string_view private_key, const std::string& key_id, const std::string& source) {
  if (!jwt::IsDataUri(private_key)) return;
  auto uri_kid = jwt::ParsePkcs8DataUri(private_key, source).Parameter("kid");
  if (uri_kid && *uri_kid != key_id) {
    throw Error(ErrorCode::kInvalidInput, source + ": the key id '" + key_id + "' differs from the kid '" + *uri_kid +
                                              "' inside the private key's data URI");
  }
}

AsapConfig ParseAsapConfig(std::string_view text, const std::string& source) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) throw Error(ErrorCode::kInvalidInput, source + ": not a JSON object (expected an .asap-config)");
  try {
    AsapConfig config;
    config.issuer = RequiredField(json, "issuer", source);
    auto kid = StringField(json, "kid", source);
    if (!kid || kid->empty()) kid = StringField(json, "keyId", source);
    if (!kid || kid->empty()) throw Error(ErrorCode::kInvalidInput, source + ": field 'kid' is missing");
    config.key_id = *kid;
    SecretValue key_text(RequiredField(json, "privateKey", source));
    CheckDataUriKid(key_text.Reveal(), config.key_id, source + " privateKey");
    config.private_key = jwt::LoadPrivateKey(key_text.Reveal(), source + " privateKey");
    config.subject = StringField(json, "subject", source);
    config.public_key_pem = StringField(json, "publicKey", source);
    if (auto audience = json.find("audience"); audience != json.end() && !audience->is_null()) {
      if (audience->is_string()) {
        config.audience = SplitAudience(audience->get<std::string>());
      } else if (audience->is_array() && std::all_of(audience->begin(), audience->end(), [](auto& a) { return a.is_string(); })) {
        config.audience = audience->get<std::vector<std::string>>();
      } else {
        throw Error(ErrorCode::kInvalidInput, source + ": field 'audience' must be a string or a list of strings");
      }
    }
    if (auto expiry = json.find("expiry"); expiry != json.end() && !expiry->is_null()) {
      if (!expiry->is_number_integer()) {
        throw Error(ErrorCode::kInvalidInput, source + ": field 'expiry' must be a whole number of seconds");
      }
      config.expiry = expiry->get<int64_t>();
    }
    Scrub(json);
    return config;
  } catch (...) {
    Scrub(json);
    throw;
  }
}

AsapConfig LoadAsapConfig(const std::filesystem::path& file) {
  SecretValue text(ReadFile(file));
  AsapConfig config = ParseAsapConfig(text.Reveal(), file.string());
  struct stat info {};
  if (stat(file.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    log::Warn("{} holds a private key but is readable by others (mode {:o}); run: chmod 600 {}", file.string(),
              info.st_mode & 0777, file.string());
  }
  return config;
}

std::map<std::string, SecretValue> AsapEnvironment(const AsapConfig& config) {
  std::map<std::string, SecretValue> variables;
  variables.emplace("ASAP_ISSUER", SecretValue(config.issuer));
  variables.emplace("ASAP_KEY_ID", SecretValue(config.key_id));
  variables.emplace("ASAP_PRIVATE_KEY", jwt::MakePkcs8DataUri(*config.private_key, {{"kid", config.key_id}}));
  if (!config.audience.empty()) {
    std::string audience;
    for (const auto& item : config.audience) audience += (audience.empty() ? "" : ",") + item;
    variables.emplace("ASAP_AUDIENCE", SecretValue(audience));
  }
  if (config.subject) variables.emplace("ASAP_SUBJECT", SecretValue(*config.subject));
  return variables;
}

}  // namespace berth::asap
