// The CredentialProvider interface: something that mints short-lived tokens
// (ASAP, Google service accounts) that other plugins and commands send.
//
// Commands and plugins do not load a provider themselves: they ask the host,
// berth::Services::MintToken("asap", settings, request), and the host loads
// only the plugin whose manifest provides that credential.
#ifndef BERTH_CREDENTIAL_PROVIDER_H_
#define BERTH_CREDENTIAL_PROVIDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "berth/error.h"
#include "berth/secret.h"

namespace berth {

struct TokenRequest {
  std::vector<std::string> audience;     // Who the token is for (ASAP "aud", a JWT assertion's "aud").
  std::vector<std::string> scopes;       // OAuth scopes, for providers that use them.
  std::optional<int64_t> lifetime_seconds;  // Unset: the provider's default.
  std::optional<std::string> subject;    // Unset: the provider's default (ASAP: the issuer).
};

struct IssuedToken {
  SecretValue value;
  std::string scheme = "Bearer";  // For the Authorization header: "<scheme> <value>".
  int64_t expires_at = 0;         // Seconds since the epoch.
  std::string key_id;             // What signed it, when that is public ("kid"); may be empty.
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // Mints a new token. Errors: kAuth when no credentials are configured,
  // kUsage/kInvalidInput for a request the provider refuses (an ASAP lifetime
  // over an hour), kFailure when a remote token endpoint fails.
  virtual Result<IssuedToken> Token(const TokenRequest& request) noexcept = 0;
};

}  // namespace berth

#endif  // BERTH_CREDENTIAL_PROVIDER_H_
