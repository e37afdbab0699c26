// File helpers: whole-file reads, atomic writes, and temporary paths that are
// removed even when berth is interrupted.
#ifndef BERTH_UTIL_FS_H_
#define BERTH_UTIL_FS_H_

#include <sys/types.h>

#include <signal.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>

namespace berth {

// Throws Error(kInvalidInput) naming the path when it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

// Writes through a temporary file in the same directory, fsyncs it and renames
// it over path, so readers see the old content or the new, never a mix. The
// temporary file has `mode` from its creation, so a secret is never readable
// by others, not even briefly.
void WriteFileAtomic(const std::filesystem::path& path, std::string_view content, mode_t mode = 0644);

// Creates parent directories (0755, or `mode` for the last component).
void CreateDirectories(const std::filesystem::path& path, mode_t mode = 0755);

// A private (0700) temporary directory removed with everything in it on
// destruction and on SIGINT/SIGTERM (see InstallInterruptCleanup).
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "berth", const std::filesystem::path& parent = {});
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Keeps the directory: the caller has renamed or adopted it.
  void Release();

 private:
  std::filesystem::path path_;
  bool released_ = false;
  int slot_ = -1;
};

// A 0600 temporary file for values that must touch disk (a secret handed to a
// child process), removed on destruction and on SIGINT/SIGTERM.
class PrivateTempFile {
 public:
  explicit PrivateTempFile(std::string_view content, std::string_view suffix = "");
  ~PrivateTempFile();
  PrivateTempFile(const PrivateTempFile&) = delete;
  PrivateTempFile& operator=(const PrivateTempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int slot_ = -1;
};

// Removes the file at `path` if berth is interrupted while this lives: for a
// temporary file its owner creates itself and removes on every other path.
class RemoveOnInterrupt {
 public:
  explicit RemoveOnInterrupt(const std::filesystem::path& path);
  ~RemoveOnInterrupt();
  RemoveOnInterrupt(const RemoveOnInterrupt&) = delete;
  RemoveOnInterrupt& operator=(const RemoveOnInterrupt&) = delete;

 private:
  int slot_ = -1;
};

// Wrap the creation of a temporary file and its RemoveOnInterrupt in one,
// so that no interrupt falls between them: while a window is open, the
// interrupt handler waits for it (up to a second) before it cleans up, never
// runs on the thread that opened it, and a window opened once the handler
// has begun never returns (the process is exiting).
class InterruptWindow {
 public:
  InterruptWindow();
  ~InterruptWindow();
  InterruptWindow(const InterruptWindow&) = delete;
  InterruptWindow& operator=(const InterruptWindow&) = delete;

 private:
  sigset_t previous_;
};

namespace internal {
// The interrupt handler's table behind TempDir, PrivateTempFile,
// RemoveOnInterrupt and InterruptWindow: the host's (sdk/src/
// interrupt_cleanup.cc), or in a plugin the host's through its table
// (sdk/runtime/interrupt_link.cc). RegisterCleanup returns -1 when full.
int RegisterCleanup(const std::filesystem::path& path, bool directory) noexcept;
void UnregisterCleanup(int slot) noexcept;
void EnterInterruptWindow() noexcept;
void LeaveInterruptWindow() noexcept;
}  // namespace internal

// Installs SIGINT/SIGTERM handlers that remove every live TempDir,
// PrivateTempFile and RemoveOnInterrupt path, then exit with 130 (143 on
// SIGTERM). The host calls it once at start-up.
void InstallInterruptCleanup();

// Set once SIGINT/SIGTERM arrived (the handler then cleans up and exits):
// long waits and transfers watch it, so that Ctrl-C is reported as an
// interruption, never mistaken for a timeout.
const std::atomic<bool>* InterruptFlag() noexcept;

}  // namespace berth

#endif  // BERTH_UTIL_FS_H_
