#include "blob_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "berth/error.h"

namespace berth::oci {
namespace fs = std::filesystem;
namespace {

// Direct I/O wants the buffer address, the file offset and the length aligned
// to the device's logical block size, which is at most 4 KiB on Linux block
// devices in practice; a device that wants more refuses with EINVAL and the
// file falls back to the page cache.
constexpr size_t kAlignment = 4096;
constexpr size_t kBufferSize = 1u << 20;

}  // namespace

BlobFile::BlobFile(const fs::path& final_path, uint64_t expected_size, bool allow_direct)
    : final_(final_path), buffer_(nullptr, std::free) {
  std::string pattern = (final_path.parent_path() / (".tmp-" + final_path.filename().string() + "-XXXXXX")).string();
  {
    InterruptWindow window;
    fd_ = mkostemp(pattern.data(), O_CLOEXEC);
    if (fd_ < 0) throw Error(ErrorCode::kFailure, "cannot create a file in " + final_path.parent_path().string() + ": " + std::strerror(errno));
    path_ = pattern;
    remove_on_interrupt_.emplace(path_);
  }
  fchmod(fd_, 0644);
  buffer_.reset(static_cast<char*>(std::aligned_alloc(kAlignment, kBufferSize)));
  if (!buffer_) {
    close(fd_);
    unlink(path_.c_str());
    throw std::bad_alloc();
  }
  if (allow_direct && expected_size >= kDirectMinSize) {
    int flags = fcntl(fd_, F_GETFL);
    direct_ = flags >= 0 && fcntl(fd_, F_SETFL, flags | O_DIRECT) == 0;
  }
}

BlobFile::~BlobFile() {
  if (fd_ >= 0) close(fd_);
  if (!published_) unlink(path_.c_str());
}

std::span<char> BlobFile::Space() { return {buffer_.get() + used_, kBufferSize - used_}; }

void BlobFile::Commit(size_t size) {
  used_ += size;
  if (used_ == kBufferSize) Flush();
}

void BlobFile::Publish() {
  Flush();
  int result = close(fd_);
  fd_ = -1;
  if (result != 0) throw Error(ErrorCode::kFailure, "cannot write " + path_.string() + ": " + std::strerror(errno));
  if (rename(path_.c_str(), final_.c_str()) != 0) {
    throw Error(ErrorCode::kFailure, "cannot rename " + path_.string() + ": " + std::strerror(errno));
  }
  published_ = true;
}

void BlobFile::Flush() {
  size_t aligned = direct_ ? used_ / kAlignment * kAlignment : used_;
  WriteAll(buffer_.get(), aligned);
  if (aligned < used_) {
    // Only the end of a blob leaves a partial block (the buffer is flushed
    // when full): it goes through the page cache, which takes any length.
    DropDirect();
    WriteAll(buffer_.get() + aligned, used_ - aligned);
  }
  used_ = 0;
}

void BlobFile::WriteAll(const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EINVAL && direct_) {
      // The filesystem takes O_DIRECT at open but not these writes.
      DropDirect();
      continue;
    }
    if (n < 0) throw Error(ErrorCode::kFailure, "cannot write " + path_.string() + ": " + std::strerror(errno));
    if (direct_) direct_bytes_ += uint64_t(n);
    data += n;
    size -= size_t(n);
    // A short direct write leaves the next offset unaligned.
    if (direct_ && size_t(n) % kAlignment != 0) DropDirect();
  }
}

void BlobFile::DropDirect() {
  if (!direct_) return;
  int flags = fcntl(fd_, F_GETFL);
  if (flags < 0 || fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) {
    throw Error(ErrorCode::kFailure, "cannot write " + path_.string() + ": " + std::strerror(errno));
  }
  direct_ = false;
}

}  // namespace berth::oci
