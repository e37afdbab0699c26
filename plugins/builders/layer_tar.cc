#include "layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <exception>

#include "berth/error.h"

namespace berth::builders {
namespace {

struct WriteArchiveFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

}  // namespace

struct LayerTar::Impl {
  Sink sink;
  int64_t mtime = 0;
  std::unique_ptr<archive, WriteArchiveFree> writer;
  // What the sink threw: an exception must not unwind through libarchive's C frames.
  std::exception_ptr sink_error;
  uint64_t remaining = 0;
  bool finished = false;

  ~Impl() {
    // Abandoned (an error unwinds): freeing would otherwise write the end blocks.
    if (writer && !finished) archive_write_fail(writer.get());
  }

  static la_ssize_t Write(archive*, void* self, const void* data, size_t size) {
    auto* impl = static_cast<Impl*>(self);
    try {
      impl->sink(data, size);
      return static_cast<la_ssize_t>(size);
    } catch (...) {
      impl->sink_error = std::current_exception();
      return -1;
    }
  }

  [[noreturn]] void Fail() const {
    if (sink_error) std::rethrow_exception(sink_error);
    const char* why = archive_error_string(writer.get());
    throw Error(ErrorCode::kFailure, std::string("cannot write the layer's tar: ") + (why ? why : "libarchive failed"));
  }

  void Header(const std::string& name, mode_t type, uint32_t permissions, uint64_t size, const std::string* link) {
    std::unique_ptr<archive_entry, EntryFree> entry(archive_entry_new());
    archive_entry_copy_pathname(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), type);
    archive_entry_set_perm(entry.get(), permissions);
    archive_entry_set_size(entry.get(), static_cast<int64_t>(size));
    // Left unset, atime and ctime stay out of the headers; no uname or gname either.
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    archive_entry_set_mtime(entry.get(), static_cast<time_t>(mtime), 0);
    if (link != nullptr) archive_entry_copy_symlink(entry.get(), link->c_str());
    // ARCHIVE_WARN: a name the locale cannot convert, written as its bytes (hdrcharset=BINARY).
    if (archive_write_header(writer.get(), entry.get()) < ARCHIVE_WARN) Fail();
  }
};

LayerTar::LayerTar(Sink sink, int64_t mtime) : impl_(std::make_unique<Impl>()) {
  impl_->sink = std::move(sink);
  impl_->mtime = mtime;
  impl_->writer.reset(archive_write_new());
  if (!impl_->writer) throw Error(ErrorCode::kFailure, "libarchive: out of memory");
  archive* a = impl_->writer.get();
  // Unblocked: the tar ends with its two zero blocks, not padded to 10 KiB
  // records, and every byte reaches the sink as soon as it is made.
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK || archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
      archive_write_open2(a, impl_.get(), nullptr, &Impl::Write, nullptr, nullptr) != ARCHIVE_OK) {
    impl_->Fail();
  }
}

LayerTar::~LayerTar() = default;

void LayerTar::Directory(const std::string& name) { impl_->Header(name.ends_with('/') ? name : name + "/", AE_IFDIR, 0755, 0, nullptr); }

void LayerTar::Symlink(const std::string& name, const std::string& target) { impl_->Header(name, AE_IFLNK, 0777, 0, &target); }

void LayerTar::File(const std::string& name, uint32_t mode, uint64_t size) {
  impl_->Header(name, AE_IFREG, mode, size, nullptr);
  impl_->remaining = size;
}

void LayerTar::Data(const void* data, size_t size) {
  // libarchive would drop the surplus silently; a wrong size is a caller's bug.
  if (size > impl_->remaining) throw Error(ErrorCode::kFailure, "tar member longer than declared");
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    la_ssize_t written = archive_write_data(impl_->writer.get(), bytes, size);
    if (written <= 0) impl_->Fail();
    bytes += written;
    size -= static_cast<size_t>(written);
    impl_->remaining -= static_cast<uint64_t>(written);
  }
}

void LayerTar::Finish() {
  impl_->finished = true;
  if (archive_write_close(impl_->writer.get()) != ARCHIVE_OK) impl_->Fail();
}

}  // namespace berth::builders
