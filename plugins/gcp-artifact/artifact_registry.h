// Artifact Registry's docker endpoints as a berth Registry: the OCI protocol
// is the SDK's; this adds Google credentials (Basic oauth2accesstoken + an
// access token from the credential chain) and the
// LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE naming rule. Claims
// *-docker.pkg.dev; another host (a test registry) opts in with
// `plugin: gcp-artifact` and `settings: {location: ...}` in registries.yaml.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_ARTIFACT_REGISTRY_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_ARTIFACT_REGISTRY_H_

#include <memory>

#include "berth/registry.h"
#include "credential_chain.h"

namespace berth::gcp {

inline constexpr char kAccessTokenUser[] = "oauth2accesstoken";

class ArtifactRegistry : public Registry {
 public:
  explicit ArtifactRegistry(std::shared_ptr<CredentialChain> credentials) : credentials_(std::move(credentials)) {}

  // nullopt when no Google credential source exists (the docker config, e.g.
  // credHelpers gcloud, or anonymous access to a public repository is next).
  Result<std::optional<oci::Credential>> GetCredential(const std::string& host,
                                                       const std::vector<std::string>& scopes) noexcept override;
  Status ValidateReference(const oci::Reference& reference) noexcept override;

 private:
  std::shared_ptr<CredentialChain> credentials_;
};

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_ARTIFACT_REGISTRY_H_
