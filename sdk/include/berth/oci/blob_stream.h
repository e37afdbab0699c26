// Streaming blobs with bounded memory: a SHA-256 computed on a helper thread
// (hashing and the network then run side by side), a bounded pipe between a
// download and an upload, and readers that verify what they stream.
#ifndef BERTH_OCI_BLOB_STREAM_H_
#define BERTH_OCI_BLOB_STREAM_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "berth/util/digest.h"

namespace berth::oci {

// SHA-256 of a stream, hashed on its own thread through a fixed number of
// 256 KiB buffers (Update blocks when all are in use), so memory stays flat.
class AsyncSha256 {
 public:
  AsyncSha256();
  ~AsyncSha256();
  AsyncSha256(const AsyncSha256&) = delete;
  AsyncSha256& operator=(const AsyncSha256&) = delete;
  void Update(const char* data, size_t size);
  std::string FinishHex();
  uint64_t bytes() const { return bytes_; }

 private:
  void Run();
  void Submit();
  static constexpr size_t kBufferSize = 256u << 10;
  static constexpr size_t kBuffers = 8;
  // Each side signals the other only when it waits, not for every buffer.
  std::mutex mutex_;
  std::condition_variable work_, buffer_freed_;
  bool hasher_waiting_ = false, producer_waiting_ = false;
  std::deque<std::vector<char>> queue_;  // Full buffers waiting to be hashed.
  std::vector<std::vector<char>> free_;
  std::vector<char> current_;
  bool finishing_ = false;
  uint64_t bytes_ = 0;
  Sha256 sha_;
  std::thread thread_;
};

// A byte pipe with a fixed capacity between one writer and one reader
// thread. Either side can fail it; the other then sees the error.
//
// A side that has to wait is woken once a quarter of the pipe (or all it
// asked for) is ready, not for every write: a 1 GiB pull arrives in tens of
// thousands of small pieces, and a wake-up per piece cost more CPU than
// copying them.
class BoundedPipe {
 public:
  explicit BoundedPipe(size_t capacity = 2u << 20);
  // Blocks while full; throws the reader's failure.
  void Write(const char* data, size_t size);
  void CloseWrite();                       // End of stream.
  void Fail(std::exception_ptr error);     // Either side: wakes the other with this error.
  // Blocks while empty; 0 at the end of stream; throws the writer's failure.
  size_t Read(char* buffer, size_t size);

 private:
  std::mutex mutex_;
  std::condition_variable readable_, writable_;
  std::vector<char> ring_;
  size_t head_ = 0, size_ = 0;
  size_t reader_wants_ = 0;  // Bytes a waiting reader needs before it is woken; 0 when not waiting.
  size_t writer_wants_ = 0;  // Free bytes a waiting writer needs; 0 when not waiting.
  bool closed_ = false;
  std::exception_ptr error_;
};

// One pass over a blob's bytes. Read returns 0 only after the bytes were
// verified against the expected digest and size; a mismatch throws
// Error(kVerification).
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual size_t Read(char* buffer, size_t size) = 0;
};

// Opens a blob for reading, again from its first byte each time (a retried
// upload starts over).
class BlobSource {
 public:
  virtual ~BlobSource() = default;
  virtual std::unique_ptr<BlobReader> Open() = 0;
};

// A blob stored in a file, possibly as a range of it (a docker-archive member).
class FileBlobSource : public BlobSource {
 public:
  FileBlobSource(std::filesystem::path path, uint64_t offset, uint64_t size, Digest digest, std::string what);
  std::unique_ptr<BlobReader> Open() override;

 private:
  std::filesystem::path path_;
  uint64_t offset_, size_;
  Digest digest_;
  std::string what_;
};

// Bytes held in memory (a manifest, a signature), as an upload's source.
// The data must outlive the source and its readers.
class StringBlobSource : public BlobSource {
 public:
  explicit StringBlobSource(std::string_view data) : data_(data) {}
  std::unique_ptr<BlobReader> Open() override;

 private:
  std::string_view data_;
};

// Checks a finished stream: "digest mismatch for <what>: expected X, got Y"
// as Error(kVerification).
void CheckDigest(const std::string& what, const Digest& expected, const std::string& actual_hex, uint64_t expected_size,
                 uint64_t actual_size);

}  // namespace berth::oci

#endif  // BERTH_OCI_BLOB_STREAM_H_
