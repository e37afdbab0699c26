// In a plugin, the interrupt handler's table is the host's: only the host
// installs a SIGINT/SIGTERM handler, so a plugin's temporary files (a secret
// written for a child process) are registered with it through the table.
// A host older than ABI minor 2 has no such functions: the files are then
// removed on every path but an interrupt, as they were before.
#include "berth/abi/host_link.h"
#include "berth/util/fs.h"

namespace berth::internal {

int RegisterCleanup(const std::filesystem::path& path, bool directory) noexcept {
  const berth_host_api* host = abi::Host();
  if (!BERTH_HOST_HAS(host, remove_on_interrupt)) return -1;
  const std::string& text = path.native();
  return host->remove_on_interrupt(host->host, text.data(), text.size(), directory ? 1 : 0);
}

void UnregisterCleanup(int slot) noexcept {
  const berth_host_api* host = abi::Host();
  if (slot >= 0 && BERTH_HOST_HAS(host, keep_on_interrupt)) host->keep_on_interrupt(host->host, slot);
}

void EnterInterruptWindow() noexcept {
  const berth_host_api* host = abi::Host();
  if (BERTH_HOST_HAS(host, interrupt_window)) host->interrupt_window(host->host, 1);
}

void LeaveInterruptWindow() noexcept {
  const berth_host_api* host = abi::Host();
  if (BERTH_HOST_HAS(host, interrupt_window)) host->interrupt_window(host->host, 0);
}

}  // namespace berth::internal
