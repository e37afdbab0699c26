#include "asap_credentials.h"

#include <cstdlib>

#include "berth/error.h"

namespace berth::asap {
namespace {

constexpr char kKeyIdVariables[] = "ASAP_KEY_ID (or ASAP_KID)";

std::string Joined(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return text;
}

// The key id the environment gives: ASAP_KEY_ID, else ASAP_KID, else the
// kid= of a data URI key (empty: no key).
std::optional<std::string> EnvironmentKeyId(const EnvLookup& env, std::string_view private_key) {
  if (auto kid = env("ASAP_KEY_ID")) return kid;
  if (auto kid = env("ASAP_KID")) return kid;
  if (jwt::IsDataUri(private_key)) return jwt::ParsePkcs8DataUri(private_key, "ASAP_PRIVATE_KEY").Parameter("kid");
  return std::nullopt;
}

// "ASAP_PRIVATE_KEY is set but ASAP_ISSUER is not" when some but not all of
// what identifies a signer is in the environment; nullopt when none of it
// is, or all of it.
std::optional<std::string> HalfSetEnvironment(const EnvLookup& env) {
  std::vector<std::string> set, missing;
  for (const char* name : {"ASAP_ISSUER", "ASAP_KEY_ID", "ASAP_KID", "ASAP_PRIVATE_KEY"}) {
    if (env(name)) set.push_back(name);
  }
  if (set.empty()) return std::nullopt;
  SecretValue private_key(env("ASAP_PRIVATE_KEY").value_or(""));
  if (!env("ASAP_ISSUER")) missing.push_back("ASAP_ISSUER");
  if (!EnvironmentKeyId(env, private_key.Reveal())) missing.push_back(kKeyIdVariables);
  if (private_key.empty()) missing.push_back("ASAP_PRIVATE_KEY");
  if (missing.empty()) return std::nullopt;
  return Joined(set) + (set.size() == 1 ? " is" : " are") + " set but " + Joined(missing) + (missing.size() == 1 ? " is not" : " are not");
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || value[0] == '\0') return std::nullopt;
    return std::string(value);
  };
}

AsapCredentials CredentialsFromConfig(const std::filesystem::path& file) {
  AsapConfig config = LoadAsapConfig(file);
  AsapCredentials credentials;
  credentials.source = file.string();
  credentials.issuer = std::move(config.issuer);
  credentials.key_id = std::move(config.key_id);
  credentials.subject = std::move(config.subject);
  credentials.audience = std::move(config.audience);
  credentials.lifetime_seconds = config.expiry;
  credentials.private_key = std::move(config.private_key);
  credentials.public_key_pem = std::move(config.public_key_pem);
  return credentials;
}

std::optional<AsapCredentials> CredentialsFromEnvironment(const EnvLookup& env) {
  if (auto half = HalfSetEnvironment(env)) throw Error(ErrorCode::kAuth, *half);
  auto private_key = env("ASAP_PRIVATE_KEY");
  if (!private_key) return std::nullopt;
  SecretValue key_text(std::move(*private_key));
  AsapCredentials credentials;
  credentials.source = "the ASAP_* environment";
  credentials.issuer = *env("ASAP_ISSUER");
  credentials.key_id = *EnvironmentKeyId(env, key_text.Reveal());
  CheckDataUriKid(key_text.Reveal(), credentials.key_id, "ASAP_PRIVATE_KEY");
  credentials.private_key = jwt::LoadPrivateKey(key_text.Reveal(), "ASAP_PRIVATE_KEY");
  if (auto audience = env("ASAP_AUDIENCE")) credentials.audience = SplitAudience(*audience);
  credentials.subject = env("ASAP_SUBJECT");
  return credentials;
}

AsapCredentials ResolveCredentials(const std::optional<std::filesystem::path>& config_file, const EnvLookup& env) {
  if (config_file) return CredentialsFromConfig(*config_file);
  std::error_code error;
  const bool local_config = std::filesystem::exists(kDefaultConfigFile, error);
  // A half-set environment is never completed from ./.asap-config, nor
  // passed over for it: either would mint with an identity the user did not
  // choose. The error names both sources so the user can pick one.
  if (auto half = HalfSetEnvironment(env)) {
    throw Error(ErrorCode::kAuth,
                "the ASAP_* environment is incomplete: " + *half + "; " +
                    (local_config ? "./.asap-config exists but is not read while ASAP_* variables are set (unset them, set the rest, "
                                    "or pass --config .asap-config)"
                                  : "there is no ./.asap-config either (set the rest, or pass --config FILE)"));
  }
  if (auto from_env = CredentialsFromEnvironment(env)) return std::move(*from_env);
  if (local_config) return CredentialsFromConfig(kDefaultConfigFile);
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
