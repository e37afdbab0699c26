// SignatureStore over the host's registry services (berth/oci/host_registry.h):
// berth's own clients make the requests, with the user's credentials and
// registry settings, which never enter the plugin.
#ifndef BERTH_PLUGINS_COSIGN_REGISTRY_SIGNATURE_STORE_H_
#define BERTH_PLUGINS_COSIGN_REGISTRY_SIGNATURE_STORE_H_

#include <memory>
#include <string>

#include "signature_store.h"

namespace berth {
class Services;
}

namespace berth::cosign {

// `verb` ("sign", "verify") names the operation in the store's own errors
// (the host's name the service). `services` is unused: the registry is the
// host's, reached through the C table (the signature stays a StoreFactory).
std::unique_ptr<SignatureStore> OpenRegistrySignatureStore(Services& services, const std::string& verb);

// The repository as go-containerregistry names it in cosign's payload
// ("index.docker.io/library/app" for Docker Hub, else registry/repository).
std::string CosignRepositoryName(const std::string& registry, const std::string& repository);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_REGISTRY_SIGNATURE_STORE_H_
