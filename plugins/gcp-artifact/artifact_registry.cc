#include "artifact_registry.h"

#include "artifact_path.h"
#include "berth/util/log.h"

namespace berth::gcp {

Result<std::optional<oci::Credential>> ArtifactRegistry::GetCredential(const std::string& host,
                                                                       const std::vector<std::string>& scopes) noexcept {
  return CaptureResult([&]() -> std::optional<oci::Credential> {
    auto token = credentials_->Find(host);
    if (!token) {
      log::Debug("gcp-artifact: no Google credentials for {}; using the docker config", host);
      return std::nullopt;
    }
    oci::Credential credential;
    credential.kind = oci::Credential::Kind::kBasic;
    credential.username = kAccessTokenUser;
    credential.secret = std::move(token->token);
    credential.origin = token->source;
    return credential;
  });
}

Status ArtifactRegistry::ValidateReference(const oci::Reference& reference) noexcept {
  return Capture([&] { ParseArtifactPath(reference.registry, reference.repository, credentials_->settings().location, true); });
}

}  // namespace berth::gcp
