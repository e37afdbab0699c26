// Release tags are immutable on every registry: each tag that already names
// another digest is refused before anything is pushed, so a registry and
// the ledger never disagree about what a tag means. A template marked
// `mutable: true` in berth.yaml (a channel such as edge) is exempt; the same
// digest under an existing tag is fine (re-releasing is idempotent).
#ifndef BERTH_HOST_CORE_RELEASE_TAG_GUARD_H_
#define BERTH_HOST_CORE_RELEASE_TAG_GUARD_H_

#include <map>
#include <string>
#include <vector>

#include "berth/util/digest.h"
#include "core/release/release_plan.h"

namespace berth::host::release {

// What one repository's release tags name now, read before the release
// moves anything.
struct RepositoryTags {
  std::string repository;                      // registry/path
  std::map<std::string, std::string> existing;  // tag -> the digest it names; tags that do not exist are absent.
};

struct TagConflict {
  std::string image;     // repository:tag
  std::string existing;  // The digest it names now.
};

// One line for people: names the registry's tag, both digests and the way out.
std::string DescribeConflict(const TagConflict& conflict, const std::string& wanted);

// The immutable tags that name another digest than `wanted`.
std::vector<TagConflict> FindMovedTags(const std::vector<RepositoryTags>& repositories, const std::vector<RenderedTag>& tags,
                                       const std::string& wanted);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_TAG_GUARD_H_
