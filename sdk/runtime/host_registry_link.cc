// In a plugin, HostRegistry's calls go to the host's registry services
// through the C table: the host's own registry clients make the requests.
#include "berth/abi/host_link.h"
#include "berth/oci/host_registry.h"

namespace berth::oci::internal {

nlohmann::json CallRegistryService(const char* service, const nlohmann::json& request) {
  return abi::CallHost(service, request);
}

}  // namespace berth::oci::internal
