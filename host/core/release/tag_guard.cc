#include "core/release/tag_guard.h"

namespace berth::host::release {

std::string DescribeConflict(const TagConflict& conflict, const std::string& wanted) {
  return "tag " + conflict.image + " already names " + conflict.existing + ", not this release's " + wanted +
         "; release tags are immutable: release a new version, or mark the template mutable in berth.yaml ({template: T, mutable: true})";
}

std::vector<TagConflict> FindMovedTags(const std::vector<RepositoryTags>& repositories, const std::vector<RenderedTag>& tags,
                                       const std::string& wanted) {
  std::vector<TagConflict> conflicts;
  for (const auto& repository : repositories) {
    for (const auto& tag : tags) {
      if (tag.is_mutable) continue;
      auto existing = repository.existing.find(tag.tag);
      if (existing != repository.existing.end() && existing->second != wanted) {
        conflicts.push_back({repository.repository + ":" + tag.tag, existing->second});
      }
    }
  }
  return conflicts;
}

}  // namespace berth::host::release
