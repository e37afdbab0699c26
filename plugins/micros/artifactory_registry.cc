#include "artifactory_registry.h"

#include "berth/util/log.h"

namespace berth::micros {

Result<std::optional<oci::Credential>> ArtifactoryRegistry::GetCredential(const std::string& host,
                                                                          const std::vector<std::string>& scopes) noexcept {
  return CaptureResult([&]() -> std::optional<oci::Credential> {
    auto found = FindCredentials(host, sources_);
    if (!found) return std::nullopt;
    log::Debug("Artifactory credentials for {}: staff id {} from {}", host, found->username, found->source);
    oci::Credential credential;
    credential.kind = oci::Credential::Kind::kBasic;
    credential.username = found->username;
    credential.secret = std::move(found->password);
    credential.origin = found->source;
    return credential;
  });
}

Status ArtifactoryRegistry::ValidateReference(const oci::Reference& reference) noexcept {
  return Capture([&] {
    if (reference.tag.rfind("app-", 0) == 0 && !VersionFromAppTag(reference.tag)) {
      throw Error(ErrorCode::kInvalidInput, "micros: tag '" + reference.tag + "' is in the app-<version> namespace but has no version");
    }
  });
}

}  // namespace berth::micros
