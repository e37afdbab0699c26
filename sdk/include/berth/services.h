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
class Registry;
namespace oci {
class RegistryClient;
}
class CredentialProvider;
struct TokenRequest;
struct IssuedToken;

class Services {
 public:
  virtual ~Services() = default;
  // Loads the plugin that provides secret store `kind` (only that one) and
  // creates a store with `settings`.
  virtual Result<std::unique_ptr<SecretStore>> OpenSecretStore(const std::string& kind,
                                                               const nlohmann::json& settings) noexcept = 0;
  // Loads the plugin that provides target `kind` and creates one.
  virtual Result<std::unique_ptr<Target>> OpenTarget(const std::string& kind, const nlohmann::json& settings) noexcept = 0;
  // A distribution client for the registry `reference` names
  // ("ghcr.io/org/app:1.0", or a bare host "127.0.0.1:5000"): served by the
  // plugin whose registry claims the host, else by the generic OCI registry,
  // with the user's registries.yaml settings and credentials. Clients are
  // shared per host for the whole run (one token cache).
  virtual Result<std::shared_ptr<oci::RegistryClient>> OpenRegistryClient(const std::string& reference) noexcept = 0;
  // Loads the plugin that provides credential `name` ("asap"; only that one)
  // and creates a provider with `settings`.
  virtual Result<std::unique_ptr<CredentialProvider>> OpenCredentialProvider(const std::string& name,
                                                                             const nlohmann::json& settings) noexcept = 0;
  // One token from provider `name`: OpenCredentialProvider, then Token.
  virtual Result<IssuedToken> MintToken(const std::string& name, const nlohmann::json& settings,
                                        const TokenRequest& request) noexcept = 0;
};

}  // namespace berth

#endif  // BERTH_SERVICES_H_
