// Verifies ASAP tokens with the rules of atlassian/asap-authentication-python
// (the reference verifier), each broken rule with its own message.
#ifndef BERTH_PLUGINS_ASAP_ASAP_VERIFIER_H_
#define BERTH_PLUGINS_ASAP_ASAP_VERIFIER_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/util/jwt.h"

namespace berth::asap {

struct VerifyOptions {
  std::string audience;                  // Required: this service's name.
  std::vector<std::string> issuers;      // Accepted issuers; empty accepts any.
  bool subject_must_match_issuer = true;
  int64_t leeway_seconds = 30;
  std::optional<int64_t> now;            // Unset: the clock.
};

struct ResolvedKey {
  jwt::PublicKey key;
  std::string source;  // The URL or file it came from.
};
// Finds the public key for a kid that has passed the format rules.
using KeyResolver = std::function<ResolvedKey(const std::string& kid)>;

struct VerifiedToken {
  nlohmann::json header;
  nlohmann::json claims;
  std::string key_source;
};

// Rules in order, the first broken one reported as Error(kVerification):
// well-formed JWT; asymmetric alg; kid present and a safe path; iss, aud,
// iat, exp and jti present; kid under the issuer; issuer accepted; subject
// equals issuer; then (after fetching the key) the signature; then
// exp - iat <= 3600 s, expiry, not-before, issued-at, audience. Key
// repository errors keep their own codes (kNotFound, kFailure).
VerifiedToken VerifyAsapToken(std::string_view token, const VerifyOptions& options, const KeyResolver& resolve_key);

}  // namespace berth::asap

#endif  // BERTH_PLUGINS_ASAP_ASAP_VERIFIER_H_
