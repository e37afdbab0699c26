// Where an ASAP signer's identity and key come from: an .asap-config file
// (the JSON `atlas asap key generate` writes and `berth asap keygen` writes)
// or the ASAP_* environment services are deployed with.
#ifndef BERTH_PLUGINS_ASAP_ASAP_CREDENTIALS_H_
#define BERTH_PLUGINS_ASAP_ASAP_CREDENTIALS_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "berth/util/asap_config.h"
#include "berth/util/jwt.h"

namespace berth::asap {

struct AsapCredentials {
  std::string issuer;
  std::string key_id;
  std::optional<std::string> subject;
  std::vector<std::string> audience;        // Default audience; may be empty.
  std::optional<int64_t> lifetime_seconds;  // Default lifetime ("expiry").
  std::optional<jwt::PrivateKey> private_key;
  std::optional<std::string> public_key_pem;
  std::string source;  // For messages: the file, or "the ASAP_* environment".
};

// Reads a variable; the real one is std::getenv, tests pass a map.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnvironment();

// The .asap-config's credentials (berth/util/asap_config.h parses it).
// Throws Error(kInvalidInput) naming the file and field.
AsapCredentials CredentialsFromConfig(const std::filesystem::path& file);
// From ASAP_ISSUER, ASAP_KEY_ID (or ASAP_KID), ASAP_PRIVATE_KEY (PEM or data
// URI; a data URI's kid is used when no key id variable is set), ASAP_AUDIENCE
// (comma separated), ASAP_SUBJECT. nullopt when ASAP_PRIVATE_KEY is unset.
std::optional<AsapCredentials> CredentialsFromEnvironment(const EnvLookup& env);

// The order every asap command and the credential provider use: an explicit
// config file, else the ASAP_* environment, else ./.asap-config. Throws
// Error(kAuth) when there is none.
AsapCredentials ResolveCredentials(const std::optional<std::filesystem::path>& config_file, const EnvLookup& env);

// The .asap-config JSON for a new key: issuer, kid, audience, expiry,
// privateKey (PKCS#8 PEM), publicKey (SPKI PEM).
SecretValue AsapConfigJson(const std::string& issuer, const std::string& key_id, const std::vector<std::string>& audience,
                           int64_t lifetime_seconds, const jwt::PrivateKey& key);

}  // namespace berth::asap

#endif  // BERTH_PLUGINS_ASAP_ASAP_CREDENTIALS_H_
