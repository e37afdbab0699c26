#include "core/release/tag_guard.h"

#include "berth/error.h"
#include "berth/oci/image.h"

namespace berth::host::release {

std::string DescribeConflict(const TagConflict& conflict, const Digest& wanted) {
  return "tag " + conflict.image + " already names " + conflict.existing + ", not this release's " + wanted.str() +
         "; release tags are immutable: release a new version, or mark the template mutable in berth.yaml ({template: T, mutable: true})";
}

std::vector<TagConflict> FindMovedTags(RegistryRouter& router, const std::vector<std::string>& repositories,
                                       const std::vector<RenderedTag>& tags, const Digest& wanted) {
  std::vector<TagConflict> conflicts;
  for (const auto& repository : repositories) {
    oci::Reference reference = oci::ImageLocation::Parse(repository + ":" + tags.front().tag).reference;
    router.Validate(reference);
    auto client = router.Client(reference.registry);
    try {
      for (const auto& tag : tags) {
        if (tag.is_mutable) continue;
        auto existing = client->HeadManifest("release", reference.repository, tag.tag);
        if (existing && existing->digest != wanted) conflicts.push_back({repository + ":" + tag.tag, existing->digest.str()});
      }
    } catch (const Error&) {
      // A registry that cannot be asked cannot be pushed to either: its push
      // fails and is reported by name while the others still get the image.
      continue;
    }
  }
  return conflicts;
}

}  // namespace berth::host::release
