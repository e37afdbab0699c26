// GitHub Container Registry as a berth Registry. The OCI protocol and ghcr's
// token exchange (GET https://ghcr.io/token?service=ghcr.io&scope=... with
// Basic USER:PAT, or anonymous for public images; answers may lack
// expires_in) are the SDK's generic Bearer flow: this adds where the PAT comes
// from, ghcr's naming rules, and deletion through the Packages API (ghcr
// does not allow DELETE /v2/.../manifests).
#ifndef BERTH_PLUGINS_GHCR_GHCR_REGISTRY_H_
#define BERTH_PLUGINS_GHCR_GHCR_REGISTRY_H_

#include "berth/registry.h"
#include "ghcr_settings.h"

namespace berth::ghcr {

class GhcrRegistry : public Registry {
 public:
  GhcrRegistry(GhcrSettings settings, EnvFn env = ProcessEnv) : settings_(std::move(settings)), env_(std::move(env)) {}

  // Basic USER:PAT from token-file, GH_TOKEN or GITHUB_TOKEN; nullopt (the
  // docker config, else anonymous) when there is none.
  Result<std::optional<oci::Credential>> GetCredential(const std::string& host,
                                                       const std::vector<std::string>& scopes) noexcept override;
  // OWNER/NAME[/MORE]; OWNER a GitHub login (letters, digits, single inner hyphens, at most 39).
  Status ValidateReference(const oci::Reference& reference) noexcept override;
  // Finds the package version whose name is `digest` and deletes it through the API.
  Result<bool> DeleteManifest(const oci::Reference& reference, const Digest& digest) noexcept override;

 private:
  GhcrSettings settings_;
  EnvFn env_;
};

// Error(kInvalidInput) when `repository` breaks ghcr's rules.
void CheckGhcrRepository(const std::string& repository);

}  // namespace berth::ghcr

#endif  // BERTH_PLUGINS_GHCR_GHCR_REGISTRY_H_
