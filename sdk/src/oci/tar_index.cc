// IndexTar over libarchive's tar reader. Members are read in place later
// (docker-archive layers can be gigabytes), so only plain tar is accepted
// and a member is recorded by where its data starts in the file.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "berth/error.h"
#include "berth/oci/tar.h"

namespace berth::oci {
namespace {

struct ReadArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// A byte range of the file holds the member's data only for a plain regular
// member: not a hard link (no data of its own) and not a GNU sparse file
// (its data is stored in pieces).
bool IsPlainFile(archive_entry* entry) {
  return archive_entry_filetype(entry) == AE_IFREG && archive_entry_hardlink(entry) == nullptr && archive_entry_sparse_count(entry) == 0;
}

}  // namespace

std::string NormalizeTarPath(std::string_view path) {
  while (path.starts_with("./")) path.remove_prefix(2);
  while (path.starts_with('/')) path.remove_prefix(1);
  return std::string(path);
}

std::map<std::string, TarMember> IndexTar(const std::filesystem::path& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw Error(ErrorCode::kInvalidInput, "cannot read " + path.string() + ": " + std::strerror(errno));
  std::unique_ptr<archive, ReadArchiveFree> reader(archive_read_new());
  if (!reader) throw Error(ErrorCode::kFailure, "libarchive: out of memory");
  // Tar formats only and no decompression filter: offsets must be offsets
  // into the file itself.
  archive_read_support_format_tar(reader.get());
  auto fail = [&](archive* a) {
    const char* why = archive_error_string(a);
    return Error(ErrorCode::kInvalidInput, path.string() + ": not a tar archive (" + (why ? why : "unreadable") + ")");
  };
  // archive_read_open_fd seeks over member data on a regular file, so
  // indexing reads only the headers.
  if (archive_read_open_fd(reader.get(), fd.get(), 64 << 10) != ARCHIVE_OK) throw fail(reader.get());
  std::map<std::string, TarMember> members;
  archive_entry* entry = nullptr;
  int result;
  while ((result = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK || result == ARCHIVE_WARN) {
    if (!IsPlainFile(entry) || !archive_entry_size_is_set(entry)) continue;
    // A pax or GNU name is UTF-8; a locale that cannot show it must not lose the member.
    const char* name = archive_entry_pathname(entry);
    if (name == nullptr) name = archive_entry_pathname_utf8(entry);
    if (name == nullptr) continue;
    // With no filter, the bytes consumed so far end at this header: the data starts here.
    int64_t offset = archive_filter_bytes(reader.get(), -1);
    members[NormalizeTarPath(name)] = TarMember{uint64_t(offset), uint64_t(archive_entry_size(entry))};
  }
  if (result != ARCHIVE_EOF) throw fail(reader.get());
  return members;
}

}  // namespace berth::oci
