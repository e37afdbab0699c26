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
// when nothing fits `auto`.
std::string ChooseBuilder(const std::string& wanted, const std::vector<Candidate>& candidates);

}  // namespace berth::host::builder

#endif  // BERTH_HOST_CORE_BUILDER_BUILDER_CHOICE_H_
