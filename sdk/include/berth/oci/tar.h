// Just enough tar for docker-archive, over libarchive: an index of a
// tarball's members (ustar, pax, GNU) to read them in place, and a streaming
// writer. libarchive stays behind this header (the writer's state is an
// Impl), so code built against the SDK headers needs none of its headers.
#ifndef BERTH_OCI_TAR_H_
#define BERTH_OCI_TAR_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace berth::oci {

struct TarMember {
  uint64_t offset = 0;  // Of the member's data in the file.
  uint64_t size = 0;
};

// Regular files by normalised path ("./a/b" and "a/b" are the same).
// Throws Error(kInvalidInput) naming the file when it is not a tarball.
std::map<std::string, TarMember> IndexTar(const std::filesystem::path& path);
std::string NormalizeTarPath(std::string_view path);

class TarWriter {
 public:
  // Writes to `path` (created 0644, truncated).
  explicit TarWriter(const std::filesystem::path& path);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  void AddFile(const std::string& name, std::string_view content);
  // A member whose data follows through Write() calls, `size` bytes in all.
  void BeginFile(const std::string& name, uint64_t size);
  void Write(const char* data, size_t size);
  void EndFile();
  void AddDirectory(const std::string& name);
  // The end-of-archive blocks; flushes and closes.
  void Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::oci

#endif  // BERTH_OCI_TAR_H_
