// What the host offers to commands, its own and plugins': the objects other
// plugins provide, found by name. Implemented by the host; every method is
// noexcept so nothing unwinds across the boundary.
#ifndef BERTH_SERVICES_H_
#define BERTH_SERVICES_H_

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "berth/error.h"

namespace berth {

class SecretStore;
class Target;
class CredentialProvider;
struct TokenRequest;
struct IssuedToken;
class Signer;
class Registry;

class Services {
 public:
  virtual ~Services() = default;
  // Loads the plugin that provides secret store `kind` (only that one) and
  // creates a store with `settings`.
  virtual Result<std::unique_ptr<SecretStore>> OpenSecretStore(const std::string& kind,
                                                               const nlohmann::json& settings) noexcept = 0;
  // Loads the plugin that provides target `kind` and creates one.
  virtual Result<std::unique_ptr<Target>> OpenTarget(const std::string& kind, const nlohmann::json& settings) noexcept = 0;
  // Loads the plugin that provides credential `name` ("asap"; only that one)
  // and creates a provider with `settings`.
  virtual Result<std::unique_ptr<CredentialProvider>> OpenCredentialProvider(const std::string& name,
                                                                             const nlohmann::json& settings) noexcept = 0;
  // One token from provider `name`: OpenCredentialProvider, then Token.
  virtual Result<IssuedToken> MintToken(const std::string& name, const nlohmann::json& settings,
                                        const TokenRequest& request) noexcept = 0;
  // Loads the plugin that provides signer `kind` (only that one) and creates
  // a signer with `settings`.
  virtual Result<std::unique_ptr<Signer>> OpenSigner(const std::string& kind, const nlohmann::json& settings) noexcept = 0;
};

}  // namespace berth

#endif  // BERTH_SERVICES_H_
