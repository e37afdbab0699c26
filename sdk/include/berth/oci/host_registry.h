// A plugin's registry client: manifests, small blobs, referrers and whole-image
// copies, asked of the host through its "oci.*" services (ABI 2.2) and the
// registry's settings and credentials through "registry.client-options" and
// "registry.credential" (berth/abi/berth_plugin_api.h). The host makes every
// request with its own client, routed, configured and authenticated as its
// own commands are, so credentials never enter the plugin and the plugin
// needs no HTTP or OCI engine of its own.
//
// Compiled into each plugin with the runtime (plain code over the C table:
// JSON, base64, digests, references, manifests). libberth-sdk has a copy too,
// served in-process with the user's registries.yaml and docker config, so
// tests that link a plugin's code directly reach real registries as well.
//
// Every method throws berth::Error with the host's status and its one-line
// message ("oci.manifest.get 127.0.0.1:5000/team/app: manifest v1 failed:
// 404 MANIFEST_UNKNOWN ..."); an older host answers kPlugin (UNSUPPORTED).
#ifndef BERTH_OCI_HOST_REGISTRY_H_
#define BERTH_OCI_HOST_REGISTRY_H_

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/oci/credentials.h"
#include "berth/oci/manifest.h"
#include "berth/util/digest.h"

namespace berth::oci {

// oci.blob.get is for configs and signatures: 4 MiB unless asked, never above 64 MiB.
inline constexpr size_t kSmallBlobDefaultBytes = size_t(4) << 20;
inline constexpr size_t kSmallBlobMaxBytes = size_t(64) << 20;

// What the host chose for a registry host: registries.yaml's entry and the
// run's flags.
struct HostRegistryOptions {
  std::string registry;                                        // The host, normalised ("docker.io").
  std::string plugin;                                          // registries.yaml `plugin:` ("" when none).
  nlohmann::json plugin_settings = nlohmann::json::object();   // Its `settings:` block.
  nlohmann::json settings = nlohmann::json::object();          // Everything, as oci::SettingsToJson writes it.
};

class HostRegistry {
 public:
  // `image` is a reference ("127.0.0.1:5000/team/app:v1", "ghcr.io/o/a@sha256:...").
  // nullopt when the registry has no such manifest.
  std::optional<Descriptor> Head(const std::string& image);
  // Verified against the digest asked for, or the one the registry sent.
  // Error(kNotFound) when missing.
  Manifest GetManifest(const std::string& image);
  std::optional<Manifest> GetManifestIfExists(const std::string& image);
  // Stores `manifest.bytes` under `image` (REPO:TAG, REPO@DIGEST, or REPO for
  // its own digest); returns the digest the registry confirmed.
  Digest PutManifest(const std::string& image, const Manifest& manifest);

  // A small blob of `repository` (REGISTRY/PATH), verified against `digest`
  // (and `size` when known); refused when larger than max_bytes.
  std::string GetSmallBlob(const std::string& repository, const Digest& digest, std::optional<int64_t> size = std::nullopt,
                           size_t max_bytes = kSmallBlobDefaultBytes);
  // Uploads unless the repository has it; returns its descriptor.
  Descriptor PutBlob(const std::string& repository, std::string_view data);

  // Manifests whose subject is `subject` in `repository` (the referrers API,
  // else the sha256-<hex> tag), filtered by artifact_type when not empty.
  std::vector<Descriptor> Referrers(const std::string& repository, const Digest& subject, const std::string& artifact_type = "");

  // Copies an image between any two locations `berth copy` takes (a registry
  // reference, oci:DIR[:TAG], docker-archive:FILE); `platform` ("linux/amd64")
  // picks one platform of an index. Returns the digest stored at `to`.
  Digest Copy(const std::string& from, const std::string& to, const std::optional<std::string>& platform = std::nullopt);

  // registry.client-options for a bare host ("ghcr.io", "127.0.0.1:5000").
  static HostRegistryOptions Options(const std::string& host);
  // registry.credential: from the registry plugin serving `host`, else the
  // user's docker config and credential helpers; anonymous when none.
  static Credential CredentialFor(const std::string& host, const std::vector<std::string>& scopes = {});
};

namespace internal {
// Where HostRegistry's calls go: in a plugin, the host's service through the
// C table (sdk/runtime/host_registry_link.cc); in libberth-sdk, the services'
// implementation in-process (sdk/src/oci/registry_service.cc).
nlohmann::json CallRegistryService(const char* service, const nlohmann::json& request);
}  // namespace internal

}  // namespace berth::oci

#endif  // BERTH_OCI_HOST_REGISTRY_H_
