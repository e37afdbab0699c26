// The host's registry services (berth_plugin_api.h, ABI 2.2): "oci.manifest.head",
// "oci.manifest.get", "oci.manifest.put", "oci.blob.get", "oci.blob.put",
// "oci.referrers" and "oci.copy", each one JSON request made with the SDK's
// OCI engine (berth/oci/client.h, berth/oci/copy.h) and answered as JSON;
// manifests and blobs cross as base64. A plugin's berth::oci::HostRegistry
// asks for them (berth/oci/host_registry.h).
//
// berth serves them with its RegistryRouter's clients (the user's
// registries.yaml, the run's flags, the registry plugins' credentials). The
// plugin test harness, and libberth-sdk's own HostRegistry, serve them with
// the same code through the functions below, with the user's registries.yaml
// and docker credentials but no registry plugins: there are none to route to.
//
// Errors are one line naming the service, the registry and repository (or
// locations) and what failed:
//   oci.manifest.get 127.0.0.1:5000/team/app: manifest v1 failed: 404 MANIFEST_UNKNOWN (manifest unknown)
// with the client's exit codes: kNotFound, kAuth, kVerification for a digest
// that does not match, kInvalidInput for a malformed request or a blob larger
// than the request allows.
#ifndef BERTH_OCI_REGISTRY_SERVICE_H_
#define BERTH_OCI_REGISTRY_SERVICE_H_

#include <stddef.h>
#include <stdint.h>

#include "berth/abi/berth_plugin_api.h"

#ifdef __cplusplus
#include <nlohmann/json.hpp>

#include <string_view>

#include "berth/oci/image.h"

namespace berth::oci {

// The "oci.*" service names.
bool IsRegistryService(std::string_view service);

// Serves one "oci.*" service; `clients` gives the shared, validated client
// for a reference's registry (the copy's registry ends too).
nlohmann::json ServeRegistryService(std::string_view service, const nlohmann::json& request, const ClientFactory& clients);

// The "oci.*" services and "registry.client-options" / "registry.credential"
// without a host: registries.yaml (RegistryConfig::LoadDefault) and the
// user's docker credentials (CredentialStore), one client per registry host
// for the life of the process.
nlohmann::json ServeRegistryServiceWithDefaults(std::string_view service, const nlohmann::json& request);

}  // namespace berth::oci

extern "C" {
#endif

// ServeRegistryServiceWithDefaults over C (request and reply as JSON text): a
// berth_host_api.call for any of the services above. Unknown names answer
// BERTH_STATUS_UNSUPPORTED.
int32_t berth_registry_request(const char* service, const char* request, size_t request_size, berth_buffer* reply,
                               berth_buffer* error);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // BERTH_OCI_REGISTRY_SERVICE_H_
