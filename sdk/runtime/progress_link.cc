// In a plugin, progress lines go to the host ("progress"), which knows
// whether the user asked for quiet. A host older than ABI minor 2 gets them
// as info log lines.
#include "berth/abi/host_link.h"
#include "berth/util/log.h"
#include "berth/util/progress.h"

namespace berth {

void ReportProgress(std::string_view line) {
  try {
    abi::CallHost("progress", {{"line", std::string(line)}});
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kPlugin) throw;  // Unsupported: an older host, or none.
    log::Info("{}", line);
  }
}

}  // namespace berth
