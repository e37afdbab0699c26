#include "core/builder/builder_choice.h"

namespace berth::host::builder {

std::string ChooseBuilder(const std::string& wanted, const std::vector<Candidate>& candidates, const std::string& dockerfile) {
  if (wanted != "auto") {
    for (const auto& candidate : candidates) {
      if (candidate.name != wanted) continue;
      if (candidate.fit.usable) return wanted;
      throw Error(candidate.fit.problem_code, "build.builder is " + wanted + " but " + candidate.fit.problem);
    }
    throw Error(ErrorCode::kInvalidInput, "build.builder '" + wanted + "' is not an installed builder (see berth plugin list)");
  }
  const Candidate* best = nullptr;
  std::string why;
  for (const auto& candidate : candidates) {
    const bool passed_over = candidate.fit.usable && candidate.fit.ignores_dockerfile && !dockerfile.empty();
    if (!candidate.fit.usable || passed_over) {
      why += (why.empty() ? "" : "; ") + candidate.name + ": " +
             (passed_over ? "it does not run a Dockerfile (name it in build.builder to build without one)" : candidate.fit.problem);
      continue;
    }
    // Ties go to the first found, which is the order of the plugin search path.
    if (best == nullptr || candidate.fit.preference > best->fit.preference) best = &candidate;
  }
  if (best == nullptr) {
    std::string what = dockerfile.empty() ? "this project" : dockerfile;
    throw Error(ErrorCode::kNotFound, "no installed builder can build " + what + (why.empty() ? std::string(" (none installed)") : " (" + why + ")"));
  }
  return best->name;
}

}  // namespace berth::host::builder
