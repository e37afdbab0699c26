// Mints ASAP tokens: RS256 (or the key's ES algorithm) JWTs with iss, sub,
// aud, jti, iat, nbf, exp and the kid header.
#ifndef BERTH_PLUGINS_ASAP_ASAP_MINTER_H_
#define BERTH_PLUGINS_ASAP_ASAP_MINTER_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "asap_credentials.h"
#include "berth/secret.h"
#include "berth/util/jwt.h"

namespace berth::asap {

struct MintRequest {
  std::vector<std::string> audience;         // Empty: the credentials' default audience.
  std::optional<std::string> subject;        // Unset: the credentials' subject, else the issuer.
  std::optional<int64_t> lifetime_seconds;   // Unset: the credentials' expiry, else 60.
  std::optional<jwt::Algorithm> algorithm;   // Unset: the key's default (RS256 for RSA).
  std::optional<int64_t> now;                // Unset: the clock.
};

struct MintedToken {
  SecretValue token;
  nlohmann::json claims;
  nlohmann::json header;
};

// Throws Error(kUsage) for a request ASAP forbids (no audience, a lifetime
// over 3600 s) and Error(kInvalidInput) for credentials it forbids (a kid not
// under the issuer).
MintedToken MintAsapToken(const AsapCredentials& credentials, const MintRequest& request);

// The same token as a plain string, for the benchmark loop only: everything
// else wants the SecretValue that MintAsapToken returns (it registers the
// token for redaction).
std::string MintAsapTokenUnregistered(const AsapCredentials& credentials, const MintRequest& request,
                                      nlohmann::json* claims = nullptr, nlohmann::json* header = nullptr);

}  // namespace berth::asap

#endif  // BERTH_PLUGINS_ASAP_ASAP_MINTER_H_
