#include "berth/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "berth/error.h"

namespace berth {
namespace fs = std::filesystem;
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

int RegisterCleanup(const fs::path& path, bool directory) {
  const std::string text = path.string();
  if (text.size() >= kMaxPathLength) return -1;
  for (int i = 0; i < kMaxCleanupPaths; ++i) {
    int expected = 0;
    if (g_cleanup[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(g_cleanup[i].path, text.c_str(), text.size() + 1);
      g_cleanup[i].state = directory ? 3 : 2;
      return i;
    }
  }
  return -1;
}

void UnregisterCleanup(int slot) {
  if (slot >= 0) g_cleanup[slot].state = 0;
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

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

std::string ReadFile(const fs::path& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::kInvalidInput, "cannot read " + path.string() + ": " + ErrnoText());
  struct stat info {};
  std::string content;
  if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) content.reserve(size_t(info.st_size));
  char buffer[1 << 16];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string reason = ErrnoText();
      close(fd);
      throw Error(ErrorCode::kFailure, "error reading " + path.string() + ": " + reason);
    }
    if (n == 0) break;
    content.append(buffer, size_t(n));
  }
  close(fd);
  return content;
}

void CreateDirectories(const fs::path& path, mode_t mode) {
  if (path.empty() || fs::is_directory(path)) return;
  CreateDirectories(path.parent_path(), 0755);
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    throw Error(ErrorCode::kFailure, "cannot create directory " + path.string() + ": " + ErrnoText());
  }
}

void WriteFileAtomic(const fs::path& path, std::string_view content, mode_t mode) {
  fs::path directory = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  CreateDirectories(directory);
  // Appended piece by piece: g++ 12 warns (-Wrestrict, a false positive) on "." + name + suffix.
  std::string name = path.filename().string();
  name.insert(0, 1, '.');
  name += ".tmp.XXXXXX";
  std::string pattern = (directory / name).string();
  int fd = -1;
  int slot = -1;
  {
    InterruptWindow window;
    fd = mkstemp(pattern.data());
    if (fd < 0) throw Error(ErrorCode::kFailure, "cannot write " + path.string() + ": " + ErrnoText());
    slot = RegisterCleanup(pattern, false);
  }
  auto fail = [&](const std::string& what) {
    std::string reason = ErrnoText();
    close(fd);
    unlink(pattern.c_str());
    UnregisterCleanup(slot);
    throw Error(ErrorCode::kFailure, "cannot write " + path.string() + ": " + what + ": " + reason);
  };
  if (fchmod(fd, mode) != 0) fail("chmod");
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    written += size_t(n);
  }
  if (fsync(fd) != 0) fail("fsync");
  if (close(fd) != 0) {
    fd = -1;
    fail("close");
  }
  if (rename(pattern.c_str(), path.c_str()) != 0) {
    std::string reason = ErrnoText();
    unlink(pattern.c_str());
    UnregisterCleanup(slot);
    throw Error(ErrorCode::kFailure, "cannot write " + path.string() + ": rename: " + reason);
  }
  UnregisterCleanup(slot);
}

TempDir::TempDir(std::string_view prefix, const fs::path& parent) {
  fs::path base = parent.empty() ? fs::temp_directory_path() : parent;
  std::string pattern = (base / (std::string(prefix) + ".XXXXXX")).string();
  InterruptWindow window;
  if (mkdtemp(pattern.data()) == nullptr) {
    throw Error(ErrorCode::kFailure, "cannot create a temporary directory in " + base.string() + ": " + ErrnoText());
  }
  path_ = pattern;
  slot_ = RegisterCleanup(path_, true);
}

TempDir::~TempDir() {
  UnregisterCleanup(slot_);
  if (released_) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

void TempDir::Release() {
  released_ = true;
  UnregisterCleanup(slot_);
  slot_ = -1;
}

PrivateTempFile::PrivateTempFile(std::string_view content, std::string_view suffix) {
  std::string pattern = (fs::temp_directory_path() / ("berth-" + std::string("XXXXXX") + std::string(suffix))).string();
  // umask cannot widen mkstemp's 0600, so the file is private from creation.
  int fd = -1;
  {
    InterruptWindow window;
    fd = mkstemps(pattern.data(), int(suffix.size()));
    if (fd < 0) throw Error(ErrorCode::kFailure, "cannot create a private temporary file: " + ErrnoText());
    path_ = pattern;
    slot_ = RegisterCleanup(path_, false);
  }
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string reason = ErrnoText();
      close(fd);
      unlink(pattern.c_str());
      UnregisterCleanup(slot_);
      throw Error(ErrorCode::kFailure, "cannot write a private temporary file: " + reason);
    }
    written += size_t(n);
  }
  close(fd);
}

PrivateTempFile::~PrivateTempFile() {
  unlink(path_.c_str());
  UnregisterCleanup(slot_);
}

InterruptWindow::InterruptWindow() {
  sigset_t interrupts;
  sigemptyset(&interrupts);
  sigaddset(&interrupts, SIGINT);
  sigaddset(&interrupts, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &interrupts, &previous_);
  ++g_open_windows;
  if (g_interrupting) {
    --g_open_windows;
    while (true) pause();  // The handler is cleaning up and will exit the process.
  }
}

InterruptWindow::~InterruptWindow() {
  --g_open_windows;
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

RemoveOnInterrupt::RemoveOnInterrupt(const fs::path& path) : slot_(RegisterCleanup(path, false)) {}

RemoveOnInterrupt::~RemoveOnInterrupt() { UnregisterCleanup(slot_); }

const std::atomic<bool>* InterruptFlag() noexcept { return &g_interrupting; }

void InstallInterruptCleanup() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace berth
