// The host's own code knows its project directly (host/core/host.h); this
// definition is for code of libberth-sdk running outside a plugin, such as a
// plugin's unit tests. In a plugin, the runtime's definition asks the host.
#include "berth/project.h"

namespace berth {

std::optional<ProjectContext> CurrentProject(const std::string&) { return std::nullopt; }

}  // namespace berth
