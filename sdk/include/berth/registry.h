// The Registry interface: what a registry plugin (ghcr, gcp-artifact,
// micros/Artifactory, in-house ones) changes about the generic OCI registry.
// The protocol itself lives once in the SDK (berth/oci/client.h); a plugin
// says which hosts it serves (AddRegistry's hosts, e.g. "ghcr.io",
// "*-docker.pkg.dev") and overrides only what differs. Every method has a
// generic default, so an empty subclass is the generic OCI registry.
//
// Boundary rule: every method is noexcept and returns Status or Result;
// implement them with Capture()/CaptureResult().
#ifndef BERTH_REGISTRY_H_
#define BERTH_REGISTRY_H_

#include <optional>
#include <string>
#include <vector>

#include "berth/error.h"
#include "berth/oci/credentials.h"
#include "berth/oci/reference.h"
#include "berth/util/digest.h"

namespace berth {

class Registry {
 public:
  virtual ~Registry() = default;

  // Credentials for `host` when the client needs `scopes`
  // ("repository:org/app:pull,push"): e.g. Basic "oauth2accesstoken" plus a
  // minted access token, or a registry token to send as Bearer (kind
  // kBearer, with `expires`). nullopt: use the user's docker config.
  virtual Result<std::optional<oci::Credential>> GetCredential(const std::string& host,
                                                               const std::vector<std::string>& scopes) noexcept {
    return std::optional<oci::Credential>();
  }

  // Naming rules beyond OCI's (ghcr: owner/name; Artifact Registry:
  // PROJECT/REPOSITORY/IMAGE). Error kInvalidInput with the rule.
  virtual Status ValidateReference(const oci::Reference& reference) noexcept { return Status::Ok(); }

  // Deletes a manifest where the OCI DELETE does not work (ghcr deletes
  // package versions through its REST API). false: use the OCI API.
  virtual Result<bool> DeleteManifest(const oci::Reference& reference, const Digest& digest) noexcept {
    return false;
  }
};

}  // namespace berth

#endif  // BERTH_REGISTRY_H_
