// The .asap-config file (the JSON `atlas asap key generate` and `berth asap
// keygen` write) and the ASAP_* variables ASAP libraries read: one parser for
// the asap plugin, which mints tokens with it, and the host, whose `secrets
// sync` puts it into a secret store as those variables (docs/asap.md).
#ifndef BERTH_UTIL_ASAP_CONFIG_H_
#define BERTH_UTIL_ASAP_CONFIG_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/secret.h"
#include "berth/util/jwt.h"

namespace berth::asap {

inline constexpr char kDefaultConfigFile[] = ".asap-config";

struct AsapConfig {
  std::string issuer;
  std::string key_id;                       // "kid" (or "keyId").
  std::optional<jwt::PrivateKey> private_key;  // Always set once parsed.
  std::vector<std::string> audience;        // May be empty.
  std::optional<std::string> subject;
  std::optional<int64_t> expiry;            // Default token lifetime, seconds.
  std::optional<std::string> public_key_pem;
};

// Whether a file's text is an .asap-config rather than an env file: its
// first character that is not blank is '{'. No line of an env file can
// start so (a variable name starts with a letter or '_'), so the two never
// mix up.
bool IsAsapConfigText(std::string_view text);

// Throws Error(kInvalidInput) "<source>: field 'kid' is missing" and the
// like, naming the source and the field, never quoting the key.
AsapConfig ParseAsapConfig(std::string_view text, const std::string& source);
// ParseAsapConfig of the file, with a warning when others may read it.
AsapConfig LoadAsapConfig(const std::filesystem::path& file);

// What a deployed service's ASAP library reads: ASAP_ISSUER, ASAP_KEY_ID,
// ASAP_PRIVATE_KEY as a data URI (data:application/pkcs8;kid=<percent-encoded
// kid>;base64,<PKCS#8 DER>: one line, carrying its kid), ASAP_AUDIENCE
// (comma separated) when the config has an audience, ASAP_SUBJECT when it
// has a subject.
std::map<std::string, SecretValue> AsapEnvironment(const AsapConfig& config);

// "audience" in a config may be a string or a list; ASAP_AUDIENCE and -a take
// comma-separated lists.
std::vector<std::string> SplitAudience(const std::string& text);

// A key id that a data URI key also names must agree with it (as
// jwt-authentication requires). Throws Error(kInvalidInput) naming `source`.
void CheckDataUriKid(std::string_view private_key, const std::string& key_id, const std::string& source);

}  // namespace berth::asap

#endif  // BERTH_UTIL_ASAP_CONFIG_H_
