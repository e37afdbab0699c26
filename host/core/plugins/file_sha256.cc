#include "core/plugins/file_sha256.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "berth/error.h"
#include "berth/util/digest.h"

namespace berth::host {

int64_t Nanoseconds(const timespec& time) { return int64_t(time.tv_sec) * 1'000'000'000 + time.tv_nsec; }

bool KeepsChangeTime(const struct statfs& info) {
  constexpr unsigned long kZfs = 0x2fc12fc1;       // Not in linux/magic.h.
  constexpr unsigned long kBcachefs = 0xca451a4e;  // Not in Debian 12's linux/magic.h.
  switch (static_cast<unsigned long>(info.f_type)) {
    case EXT4_SUPER_MAGIC:  // Also ext2 and ext3.
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case TMPFS_MAGIC:
    case OVERLAYFS_SUPER_MAGIC:
    case F2FS_SUPER_MAGIC:
    case kZfs:
    case kBcachefs:
      return true;
    default:
      return false;
  }
}

FileSha256 HashFile(const std::filesystem::path& path, char* buffer, size_t buffer_size) {
  // O_NONBLOCK: a FIFO put where a library belongs must not hang berth in
  // open(); it is refused below, as a device would be (reading /dev/zero
  // never ends).
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error(ErrorCode::kInvalidInput, "cannot read " + path.string() + ": " + std::strerror(errno));
  try {
    FileSha256 result = HashDescriptor(fd, path, buffer, buffer_size);
    close(fd);
    return result;
  } catch (...) {
    close(fd);
    throw;
  }
}

FileSha256 HashDescriptor(int fd, const std::filesystem::path& path, char* buffer, size_t buffer_size) {
  FileSha256 result;
  bool known = fstat(fd, &result.before) == 0;
  if (known && !S_ISREG(result.before.st_mode)) {
    throw Error(ErrorCode::kInvalidInput, "cannot read " + path.string() + ": not a regular file");
  }
  timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  result.started_ns = Nanoseconds(now);
  Sha256 sha;
  // pread from the start: the whole file whatever the descriptor's offset,
  // and the offset is left as it was.
  off_t offset = 0;
  while (true) {
    ssize_t n = pread(fd, buffer, buffer_size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(ErrorCode::kFailure, "error reading " + path.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    sha.Update(buffer, size_t(n));
    offset += n;
  }
  struct statfs info {};
  known = known && fstat(fd, &result.after) == 0;
  result.keeps_ctime = fstatfs(fd, &info) == 0 && KeepsChangeTime(info);
  const struct stat& a = result.before;
  const struct stat& b = result.after;
  result.stable = known && a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
                  Nanoseconds(a.st_mtim) == Nanoseconds(b.st_mtim) && Nanoseconds(a.st_ctim) == Nanoseconds(b.st_ctim);
  result.hex = sha.FinishHex();
  return result;
}

}  // namespace berth::host
