// The host's SIGINT/SIGTERM cleanup: the table of paths to remove when berth
// is interrupted, and the handler that removes them. Plugins register their
// paths here too, through the host table (remove_on_interrupt), because
// only one handler runs and it runs in the host.
#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "berth/util/fs.h"

namespace berth {
namespace {

// Paths to remove on SIGINT/SIGTERM. A fixed table of fixed buffers, because
// a signal handler may not allocate.
constexpr int kMaxCleanupPaths = 256;
constexpr size_t kMaxPathLength = 1024;
struct CleanupSlot {
  std::atomic<int> state{0};  // 0 free, 1 writing, 2 file, 3 directory.
  char path[kMaxPathLength] = {};
};
// constinit: zeroed in .bss by the loader. With `path` left uninitialised,
// g++ wrote each slot's state at start-up, touching all 65 pages (263 KB)
// in every berth process.
constinit CleanupSlot g_cleanup[kMaxCleanupPaths];

int RegisterSlot(std::string_view text, bool directory) noexcept {
  if (text.size() >= kMaxPathLength) return -1;
  for (int i = 0; i < kMaxCleanupPaths; ++i) {
    int expected = 0;
    if (g_cleanup[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(g_cleanup[i].path, text.data(), text.size());
      g_cleanup[i].path[text.size()] = '\0';
      g_cleanup[i].state = directory ? 3 : 2;
      return i;
    }
  }
  return -1;
}

// Only syscalls and fixed buffers: this runs inside a signal handler.
void RemoveTreeUnsafe(const char* path, int depth) {
  if (depth > 32) return;
  if (unlink(path) == 0) return;
  DIR* dir = opendir(path);
  if (dir != nullptr) {
    while (struct dirent* entry = readdir(dir)) {
      if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
      char child[kMaxPathLength];
      size_t a = std::strlen(path), b = std::strlen(entry->d_name);
      if (a + b + 2 > sizeof(child)) continue;
      std::memcpy(child, path, a);
      child[a] = '/';
      std::memcpy(child + a + 1, entry->d_name, b + 1);
      RemoveTreeUnsafe(child, depth + 1);
    }
    closedir(dir);
  }
  rmdir(path);
}

std::atomic<bool> g_interrupting{false};
std::atomic<int> g_open_windows{0};

void OnInterrupt(int signal_number) {
  g_interrupting = true;
  // A thread between creating a temporary file and registering it: wait for
  // it, so that its file is in the table below.
  for (int i = 0; i < 1000 && g_open_windows.load() > 0; ++i) {
    struct timespec millisecond = {0, 1000000};
    nanosleep(&millisecond, nullptr);
  }
  for (auto& slot : g_cleanup) {
    int state = slot.state.load();
    if (state == 2) unlink(slot.path);
    if (state == 3) RemoveTreeUnsafe(slot.path, 0);
  }
  _exit(signal_number == SIGINT ? 130 : 128 + signal_number);
}

}  // namespace

namespace internal {

int RegisterCleanup(const std::filesystem::path& path, bool directory) noexcept {
  return RegisterSlot(path.native(), directory);
}

void UnregisterCleanup(int slot) noexcept {
  if (slot >= 0 && slot < kMaxCleanupPaths) g_cleanup[slot].state = 0;
}

void EnterInterruptWindow() noexcept {
  ++g_open_windows;
  if (g_interrupting) {
    --g_open_windows;
    while (true) pause();  // The handler is cleaning up and will exit the process.
  }
}

void LeaveInterruptWindow() noexcept { --g_open_windows; }

}  // namespace internal

const std::atomic<bool>* InterruptFlag() noexcept { return &g_interrupting; }

void InstallInterruptCleanup() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace berth

