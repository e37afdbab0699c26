#include "core/plugins/library_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace berth::host {

LibraryFile LibraryFile::Open(const std::filesystem::path& path) {
  // O_NONBLOCK: a FIFO put where a library belongs must not hang berth in
  // open(); it is refused as not a regular file.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error(ErrorCode::kInvalidInput, "cannot read " + path.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    throw Error(ErrorCode::kInvalidInput, "cannot read " + path.string() + ": not a regular file");
  }
  return LibraryFile(path, fd);
}

LibraryFile::LibraryFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}

LibraryFile::LibraryFile(LibraryFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

LibraryFile& LibraryFile::operator=(LibraryFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

LibraryFile::~LibraryFile() {
  if (fd_ >= 0) close(fd_);
}

Result<std::unique_ptr<LoadedPlugin>> LibraryFile::Load(const std::string& expected_name, const berth_host_api* host) {
  if (fd_ < 0) return Status(ErrorCode::kPlugin, "plugin " + path_.string() + ": already loaded");
  return LoadPluginLibraryFromFd(std::exchange(fd_, -1), path_, expected_name, host);
}

}  // namespace berth::host
