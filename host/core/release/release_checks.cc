#include "core/release/release_checks.h"

#include "berth/oci/image.h"

namespace berth::host::release {

RegistryChecks CheckRegistries(RegistryRouter& router, const std::vector<std::string>& repositories,
                               const std::vector<RenderedTag>& tags, const std::function<void(const std::string&)>& step) {
  RegistryChecks checks;
  for (const auto& repository : repositories) {
    try {
      oci::Reference reference = oci::ImageLocation::Parse(repository).reference;
      router.Validate(reference);
      auto client = router.Client(reference.registry);
      step("checking " + repository + ": push access and release tags");
      client->CheckPushAccess("release", reference.repository);
      RepositoryTags found{repository, {}};
      for (const auto& tag : tags) {
        if (tag.is_mutable) continue;
        if (auto existing = client->HeadManifest("release", reference.repository, tag.tag)) found.existing[tag.tag] = existing->digest.str();
      }
      checks.tags.push_back(std::move(found));
    } catch (const Error& e) {
      if (checks.ok()) checks.code = e.code();
      checks.errors.push_back(e.what());
    }
  }
  return checks;
}

bool CheckSigningKey(Signer& signer, const std::string& signer_name, const std::string& key) {
  Result<KeyCheckResult> checked = signer.CheckKey({key});
  if (!checked.ok()) {
    throw Error(checked.status().code(), "signing key " + (key.empty() ? std::string("(none given)") : key) + " for " + signer_name +
                                             ": " + checked.status().message());
  }
  return checked.value().checked;
}

}  // namespace berth::host::release
