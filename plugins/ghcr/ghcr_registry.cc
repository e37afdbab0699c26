#include "ghcr_registry.h"

#include "berth/util/log.h"
#include "packages.h"

namespace berth::ghcr {

void CheckGhcrRepository(const std::string& repository) {
  PackageRef package = PackageRef::FromRepository(repository);
  const std::string& owner = package.owner;
  bool valid = owner.size() <= 39 && owner.front() != '-' && owner.back() != '-' && owner.find("--") == std::string::npos;
  for (char c : owner) valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!valid) {
    throw Error(ErrorCode::kInvalidInput, "ghcr: owner '" + owner +
                                              "' is not a GitHub user or organisation name (lower-case letters, digits and "
                                              "single inner hyphens, at most 39 characters)");
  }
}

Result<std::optional<oci::Credential>> GhcrRegistry::GetCredential(const std::string& host,
                                                                   const std::vector<std::string>& scopes) noexcept {
  return CaptureResult([&]() -> std::optional<oci::Credential> {
    GhcrSettings settings = settings_.WithHost(host);
    auto found = FindToken(settings, /*docker_config=*/false, env_);
    if (!found) return std::nullopt;
    log::Debug("ghcr credentials for {}: user {}, token from {}", host, settings.username, found->origin);
    oci::Credential credential;
    credential.kind = oci::Credential::Kind::kBasic;
    credential.username = settings.username;
    credential.secret = std::move(found->token);
    credential.origin = found->origin;
    return credential;
  });
}

Status GhcrRegistry::ValidateReference(const oci::Reference& reference) noexcept {
  return Capture([&] { CheckGhcrRepository(reference.repository); });
}

Result<bool> GhcrRegistry::DeleteManifest(const oci::Reference& reference, const Digest& digest) noexcept {
  return CaptureResult([&]() -> bool {
    GhcrSettings settings = settings_.WithHost(reference.registry);
    auto token = FindToken(settings, /*docker_config=*/true, env_);
    if (!token) {
      throw Error(ErrorCode::kAuth, "ghcr: deleting " + reference.Name() +
                                        " needs a GitHub token with delete:packages (GH_TOKEN, GITHUB_TOKEN, or token-file)");
    }
    GitHubApi api(MakeApiOptions(settings, token));
    Packages packages(api, settings.owner_type);
    PackageRef package = PackageRef::FromRepository(reference.repository);
    for (const auto& version : packages.List(package)) {
      if (version.digest != digest.str()) continue;
      log::Info("ghcr: deleting version {} ({}) of {}", version.id, digest.str(), reference.Name());
      packages.Delete(package, version.id);
      return true;
    }
    throw Error(ErrorCode::kNotFound, "ghcr: package " + package.package + " of " + package.owner + " has no version " + digest.str());
  });
}

}  // namespace berth::ghcr
