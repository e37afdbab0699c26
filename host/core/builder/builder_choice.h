// Which installed builder makes the image: the one berth.yaml (or --builder)
// names, or with `auto` the usable one that prefers itself most. The host
// knows no builder by name; each says whether it fits (berth/builder.h).
#ifndef BERTH_HOST_CORE_BUILDER_BUILDER_CHOICE_H_
#define BERTH_HOST_CORE_BUILDER_BUILDER_CHOICE_H_

#include <string>
#include <vector>

#include "berth/builder.h"

namespace berth::host::builder {

struct Candidate {
  std::string name;
  BuilderFit fit;
};

// `wanted` is a builder's name or "auto". Throws Error with the builder's own
// problem (its code: kNotFound for a missing program, kInvalidInput for a
// missing Dockerfile) when the named one does not fit, and Error(kNotFound)
// naming every builder tried and why not when nothing fits `auto`. With a
// `dockerfile` (empty: none), `auto` passes over a builder that would ignore
// it: an image that is not what the Dockerfile says could hold anything the
// context does.
std::string ChooseBuilder(const std::string& wanted, const std::vector<Candidate>& candidates,
                          const std::string& dockerfile = "");

}  // namespace berth::host::builder

#endif  // BERTH_HOST_CORE_BUILDER_BUILDER_CHOICE_H_
