// The sha256 of a file read through one descriptor, with what identified the
// file before and after the read, so that the caller can tell whether the
// bytes hashed are those of the file as it stands (library_hash_cache.h).
#ifndef BERTH_HOST_CORE_PLUGINS_FILE_SHA256_H_
#define BERTH_HOST_CORE_PLUGINS_FILE_SHA256_H_

#include <sys/stat.h>
#include <sys/vfs.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace berth::host {

struct FileSha256 {
  std::string hex;
  struct stat before {};  // fstat of the descriptor before the first read...
  struct stat after {};   // ...and after the last.
  bool stable = false;    // Both fstat calls succeeded and agree on identity, size, mtime and ctime.
  bool keeps_ctime = false;  // The file's filesystem is one KeepsChangeTime trusts.
  int64_t started_ns = 0;    // CLOCK_REALTIME when reading began.
};

// Throws Error(kInvalidInput) when the file cannot be opened and
// Error(kFailure) when reading it fails, each naming it. `buffer` is scratch
// space of `buffer_size` bytes.
FileSha256 HashFile(const std::filesystem::path& path, char* buffer, size_t buffer_size);

// The same through a descriptor the caller opened (and keeps): the file
// that is hashed is the one it will load (library_file.h). Reads from offset
// 0 with pread, leaving the descriptor's offset alone. `path` names it in
// messages.
FileSha256 HashDescriptor(int fd, const std::filesystem::path& path, char* buffer, size_t buffer_size);

// Filesystems whose ctime changes on every write and cannot be set by a user
// (ext2/3/4, xfs, btrfs, tmpfs, overlayfs, f2fs, zfs, bcachefs). Elsewhere
// (NFS with its attribute cache, FUSE, vfat) the stat of a file does not
// prove its content unchanged.
bool KeepsChangeTime(const struct statfs& info);

int64_t Nanoseconds(const timespec& time);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_FILE_SHA256_H_
