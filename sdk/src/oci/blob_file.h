// A blob on its way into an OCI layout: a temporary file beside the blob's
// final name, renamed into place by Publish() once the caller has verified
// the bytes, and removed otherwise (also when berth is interrupted), so a
// layout never holds a blob under a name its bytes do not match.
//
// Large blobs bypass the page cache (O_DIRECT). A pulled layer is written
// once and rarely read back soon; on the benchmark machine writing 1 GiB
// through the page cache cost 1.2 s of system time, almost all of it
// allocating fresh page-cache pages, against 0.06 s written directly (see
// docs/benchmarks.md). Where the filesystem refuses direct I/O the file is
// written through the page cache instead, with the same result on disk.
#ifndef BERTH_SDK_SRC_OCI_BLOB_FILE_H_
#define BERTH_SDK_SRC_OCI_BLOB_FILE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>

#include "berth/util/fs.h"

namespace berth::oci {

class BlobFile {
 public:
  // Blobs from this size up are written directly, when the filesystem allows.
  static constexpr uint64_t kDirectMinSize = 4u << 20;

  // expected_size only chooses how to write; the caller verifies the size.
  // allow_direct = false always writes through the page cache (tests).
  BlobFile(const std::filesystem::path& final_path, uint64_t expected_size, bool allow_direct = true);
  ~BlobFile();
  BlobFile(const BlobFile&) = delete;
  BlobFile& operator=(const BlobFile&) = delete;

  // The free part of the write buffer: read the next bytes straight into it
  // (no copy), then Commit how many arrived. Never empty.
  std::span<char> Space();
  void Commit(size_t size);
  // Writes what is buffered and renames the file to its final name.
  void Publish();

  // How many bytes bypassed the page cache.
  uint64_t direct_bytes() const { return direct_bytes_; }

 private:
  void Flush();
  void WriteAll(const char* data, size_t size);
  void DropDirect();

  std::filesystem::path final_, path_;
  int fd_ = -1;
  std::optional<RemoveOnInterrupt> remove_on_interrupt_;
  bool direct_ = false;
  bool published_ = false;
  uint64_t direct_bytes_ = 0;
  std::unique_ptr<char, void (*)(void*)> buffer_;
  size_t used_ = 0;
};

}  // namespace berth::oci

#endif  // BERTH_SDK_SRC_OCI_BLOB_FILE_H_
