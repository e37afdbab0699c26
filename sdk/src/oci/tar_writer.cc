// TarWriter over libarchive: restricted pax (plain ustar headers, a pax
// record only for what ustar cannot hold, such as long names), with fixed
// owners, modes and mtimes so an archive depends only on its members.
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

struct WriteArchiveFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

}  // namespace

struct TarWriter::Impl {
  std::filesystem::path path;
  int fd = -1;
  std::unique_ptr<archive, WriteArchiveFree> writer;
  uint64_t remaining = 0;

  ~Impl() {
    if (fd < 0) return;
    // Unfinished (an error unwinds): freeing would otherwise write the end blocks.
    if (writer) archive_write_fail(writer.get());
    writer.reset();
    close(fd);
  }

  [[noreturn]] void Fail() const {
    const char* why = archive_error_string(writer.get());
    throw Error(ErrorCode::kFailure, "cannot write " + path.string() + ": " + (why ? why : std::strerror(errno)));
  }

  void Header(const std::string& name, uint64_t size, mode_t type, mode_t permissions) {
    std::unique_ptr<archive_entry, EntryFree> entry(archive_entry_new());
    archive_entry_copy_pathname(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), type);
    archive_entry_set_perm(entry.get(), permissions);
    archive_entry_set_size(entry.get(), int64_t(size));
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    archive_entry_set_mtime(entry.get(), 0, 0);
    // ARCHIVE_WARN: a name the locale cannot convert, written as its bytes (hdrcharset=BINARY).
    if (archive_write_header(writer.get(), entry.get()) < ARCHIVE_WARN) Fail();
  }
};

TarWriter::TarWriter(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (impl_->fd < 0) throw Error(ErrorCode::kFailure, "cannot write " + path.string() + ": " + std::strerror(errno));
  impl_->writer.reset(archive_write_new());
  if (!impl_->writer) throw Error(ErrorCode::kFailure, "libarchive: out of memory");
  archive* a = impl_->writer.get();
  // Unblocked: no padding of the end to 10 KiB records, just the two zero blocks.
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK || archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
      archive_write_open_fd(a, impl_->fd) != ARCHIVE_OK) {
    impl_->Fail();
  }
}

TarWriter::~TarWriter() = default;

void TarWriter::AddFile(const std::string& name, std::string_view content) {
  BeginFile(name, content.size());
  Write(content.data(), content.size());
  EndFile();
}

void TarWriter::BeginFile(const std::string& name, uint64_t size) {
  impl_->Header(name, size, AE_IFREG, 0644);
  impl_->remaining = size;
}

void TarWriter::Write(const char* data, size_t size) {
  // libarchive would cut the surplus silently; a wrong size is a caller's bug.
  if (size > impl_->remaining) throw Error(ErrorCode::kFailure, impl_->path.string() + ": tar member longer than declared");
  while (size > 0) {
    la_ssize_t written = archive_write_data(impl_->writer.get(), data, size);
    if (written <= 0) impl_->Fail();
    data += written;
    size -= size_t(written);
    impl_->remaining -= uint64_t(written);
  }
}

void TarWriter::EndFile() {
  // libarchive would pad a short member with zeros.
  if (impl_->remaining != 0) throw Error(ErrorCode::kFailure, impl_->path.string() + ": tar member shorter than declared");
  if (archive_write_finish_entry(impl_->writer.get()) != ARCHIVE_OK) impl_->Fail();
}

void TarWriter::AddDirectory(const std::string& name) { impl_->Header(name.ends_with('/') ? name : name + "/", 0, AE_IFDIR, 0755); }

void TarWriter::Finish() {
  if (archive_write_close(impl_->writer.get()) != ARCHIVE_OK) impl_->Fail();
  int fd = impl_->fd;
  impl_->fd = -1;
  if (close(fd) != 0) throw Error(ErrorCode::kFailure, "cannot write " + impl_->path.string() + ": " + std::strerror(errno));
}

}  // namespace berth::oci
