// Release tags are immutable on every registry: before anything is pushed,
// each tag that already names another digest is refused, so a registry and
// the ledger never disagree about what a tag means. A template marked
// `mutable: true` in berth.yaml (a channel such as edge) is exempt; the same
// digest under an existing tag is fine (re-releasing is idempotent).
#ifndef BERTH_HOST_CORE_RELEASE_TAG_GUARD_H_
#define BERTH_HOST_CORE_RELEASE_TAG_GUARD_H_

#include <string>
#include <vector>

#include "berth/util/digest.h"
#include "core/registry/registry_router.h"
#include "core/release/release_plan.h"

namespace berth::host::release {

struct TagConflict {
  std::string image;     // repository:tag
  std::string existing;  // The digest it names now.
};

// One line for people: names the registry's tag, both digests and the way out.
std::string DescribeConflict(const TagConflict& conflict, const Digest& wanted);

// HEADs every immutable tag on every repository; returns those that name
// another digest than `wanted`.
std::vector<TagConflict> FindMovedTags(RegistryRouter& router, const std::vector<std::string>& repositories,
                                       const std::vector<RenderedTag>& tags, const Digest& wanted);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_TAG_GUARD_H_
