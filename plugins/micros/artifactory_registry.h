// Artifactory's docker registry as a berth Registry: the OCI protocol is the
// SDK's; this adds the credentials (staff id + identity token as Basic) and
// the app-<version> tag rule. Claims docker.atl-paas.net; another Artifactory
// host opts in with `plugin: micros` in registries.yaml.
#ifndef BERTH_PLUGINS_MICROS_ARTIFACTORY_REGISTRY_H_
#define BERTH_PLUGINS_MICROS_ARTIFACTORY_REGISTRY_H_

#include <nlohmann/json.hpp>

#include "artifactory.h"
#include "berth/registry.h"

namespace berth::micros {

class ArtifactoryRegistry : public Registry {
 public:
  explicit ArtifactoryRegistry(CredentialSources sources) : sources_(std::move(sources)) {}

  // ARTIFACTORY_USER/ARTIFACTORY_TOKEN, else the docker config's auths entry;
  // nullopt (the generic lookup: credential helpers, containers' auth.json)
  // when neither has one.
  Result<std::optional<oci::Credential>> GetCredential(const std::string& host,
                                                       const std::vector<std::string>& scopes) noexcept override;
  // A tag in the app- namespace must carry a version: "app-" alone is refused.
  Status ValidateReference(const oci::Reference& reference) noexcept override;

 private:
  CredentialSources sources_;
};

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_ARTIFACTORY_REGISTRY_H_
