#include "core/builder/builder_choice.h"

namespace berth::host::builder {

std::string ChooseBuilder(const std::string& wanted, const std::vector<Candidate>& candidates) {
  if (wanted != "auto") {
    for (const auto& candidate : candidates) {
      if (candidate.name != wanted) continue;
      if (candidate.fit.usable) return wanted;
      throw Error(candidate.fit.problem_code, "build.builder is " + wanted + " but " + candidate.fit.problem);
    }
    throw Error(ErrorCode::kInvalidInput, "build.builder '" + wanted + "' is not an installed builder (see berth plugin list)");
  }
  const Candidate* best = nullptr;
  for (const auto& candidate : candidates) {
    // Ties go to the first found, which is the order of the plugin search path.
    if (candidate.fit.usable && (best == nullptr || candidate.fit.preference > best->fit.preference)) best = &candidate;
  }
  if (best == nullptr) {
    std::string why;
    for (const auto& candidate : candidates) why += (why.empty() ? "" : "; ") + candidate.name + ": " + candidate.fit.problem;
    throw Error(ErrorCode::kNotFound, "no installed builder can build this project" + (why.empty() ? std::string(" (none installed)") : " (" + why + ")"));
  }
  return best->name;
}

}  // namespace berth::host::builder
