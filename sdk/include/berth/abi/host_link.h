// A plugin's view of the host, built on the berth_host_api table the host
// handed it: Services (other plugins' objects), host services by name, the
// command's output and input. Registries are reached through the host's
// "oci.*" services (berth/oci/host_registry.h). Compiled into the plugin
// (sdk/runtime).
#ifndef BERTH_ABI_HOST_LINK_H_
#define BERTH_ABI_HOST_LINK_H_

#include <cstddef>
#include <memory>
#include <string>

#include "berth/abi/berth_plugin_api.h"
#include "berth/services.h"

// True when the host's table has function `member` set: one added in a later
// minor version is there only when the host's struct_size covers it.
#define BERTH_HOST_HAS(host, member)                                                                   \
  ((host) != nullptr && (host)->struct_size >= offsetof(berth_host_api, member) + sizeof((host)->member) && \
   (host)->member != nullptr)

namespace berth::abi {

// The host table of this plugin, set when the host opens it; null before.
const berth_host_api* Host() noexcept;
void SetHost(const berth_host_api* host) noexcept;

// Calls a host service by name (berth_host_api.call); throws Error with the
// host's status and message.
nlohmann::json CallHost(const char* service, const nlohmann::json& request);

class HostServices : public Services {
 public:
  Result<std::unique_ptr<SecretStore>> OpenSecretStore(const std::string& kind,
                                                       const nlohmann::json& settings) noexcept override;
  Result<std::unique_ptr<Target>> OpenTarget(const std::string& kind, const nlohmann::json& settings) noexcept override;
  Result<std::unique_ptr<CredentialProvider>> OpenCredentialProvider(const std::string& name,
                                                                     const nlohmann::json& settings) noexcept override;
  Result<IssuedToken> MintToken(const std::string& name, const nlohmann::json& settings,
                                const TokenRequest& request) noexcept override;
  Result<std::unique_ptr<Signer>> OpenSigner(const std::string& kind, const nlohmann::json& settings) noexcept override;
};

}  // namespace berth::abi

#endif  // BERTH_ABI_HOST_LINK_H_
