// SignatureStore over the SDK's OCI client: the registries the host's
// Services reach, with the user's credentials and registry settings.
#ifndef BERTH_PLUGINS_COSIGN_REGISTRY_SIGNATURE_STORE_H_
#define BERTH_PLUGINS_COSIGN_REGISTRY_SIGNATURE_STORE_H_

#include <memory>
#include <string>

#include "signature_store.h"

namespace berth {
class Services;
}

namespace berth::cosign {

// `verb` ("sign", "verify") names the operation in registry errors.
std::unique_ptr<SignatureStore> OpenRegistrySignatureStore(Services& services, const std::string& verb);

// The repository as go-containerregistry names it in cosign's payload
// ("index.docker.io/library/app" for Docker Hub, else registry/repository).
std::string CosignRepositoryName(const std::string& registry, const std::string& repository);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_REGISTRY_SIGNATURE_STORE_H_
