#include "berth/util/fs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "berth/error.h"

namespace berth {
namespace fs = std::filesystem;
namespace {

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
    slot = internal::RegisterCleanup(pattern, false);
  }
  auto fail = [&](const std::string& what) {
    std::string reason = ErrnoText();
    close(fd);
    unlink(pattern.c_str());
    internal::UnregisterCleanup(slot);
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
    internal::UnregisterCleanup(slot);
    throw Error(ErrorCode::kFailure, "cannot write " + path.string() + ": rename: " + reason);
  }
  internal::UnregisterCleanup(slot);
}

TempDir::TempDir(std::string_view prefix, const fs::path& parent) {
  fs::path base = parent.empty() ? fs::temp_directory_path() : parent;
  std::string pattern = (base / (std::string(prefix) + ".XXXXXX")).string();
  InterruptWindow window;
  if (mkdtemp(pattern.data()) == nullptr) {
    throw Error(ErrorCode::kFailure, "cannot create a temporary directory in " + base.string() + ": " + ErrnoText());
  }
  path_ = pattern;
  slot_ = internal::RegisterCleanup(path_, true);
}

TempDir::~TempDir() {
  internal::UnregisterCleanup(slot_);
  if (released_) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

void TempDir::Release() {
  released_ = true;
  internal::UnregisterCleanup(slot_);
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
    slot_ = internal::RegisterCleanup(path_, false);
  }
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string reason = ErrnoText();
      close(fd);
      unlink(pattern.c_str());
      internal::UnregisterCleanup(slot_);
      throw Error(ErrorCode::kFailure, "cannot write a private temporary file: " + reason);
    }
    written += size_t(n);
  }
  close(fd);
}

PrivateTempFile::~PrivateTempFile() {
  unlink(path_.c_str());
  internal::UnregisterCleanup(slot_);
}

InterruptWindow::InterruptWindow() {
  sigset_t interrupts;
  sigemptyset(&interrupts);
  sigaddset(&interrupts, SIGINT);
  sigaddset(&interrupts, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &interrupts, &previous_);
  internal::EnterInterruptWindow();
}

InterruptWindow::~InterruptWindow() {
  internal::LeaveInterruptWindow();
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

RemoveOnInterrupt::RemoveOnInterrupt(const fs::path& path) : slot_(internal::RegisterCleanup(path, false)) {}

RemoveOnInterrupt::~RemoveOnInterrupt() { internal::UnregisterCleanup(slot_); }

}  // namespace berth
