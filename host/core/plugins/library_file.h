// One plugin library, opened once. Its sha256 (library_hash_cache.h), its ELF
// check (elf_check.h) and dlopen all go through the one descriptor: dlopen
// opens /proc/self/fd/N, the file already open, so a library swapped in at
// the path after the checks (a rename over it, a symlink, a `git pull`) is
// never what loads. What the descriptor does not stop is a write into that
// very file (same inode) between the hash and dlopen: whoever may do that
// has the user's rights over the plugin already (security-plugins.md).
#ifndef BERTH_HOST_CORE_PLUGINS_LIBRARY_FILE_H_
#define BERTH_HOST_CORE_PLUGINS_LIBRARY_FILE_H_

#include <filesystem>
#include <memory>
#include <string>

#include "berth/error.h"
#include "berth/plugin_loader.h"

namespace berth::host {

class LibraryFile {
 public:
  // Opens `path` read-only. Throws Error(kInvalidInput) naming it when it
  // cannot be opened or is not a regular file.
  static LibraryFile Open(const std::filesystem::path& path);

  LibraryFile(LibraryFile&& other) noexcept;
  LibraryFile& operator=(LibraryFile&& other) noexcept;
  LibraryFile(const LibraryFile&) = delete;
  LibraryFile& operator=(const LibraryFile&) = delete;
  ~LibraryFile();

  const std::filesystem::path& path() const { return path_; }
  // The descriptor, to hash and check through; -1 once loaded.
  int fd() const { return fd_; }

  // Loads the open file (LoadPluginLibraryFromFd, which takes the
  // descriptor). Errors name the path.
  Result<std::unique_ptr<LoadedPlugin>> Load(const std::string& expected_name, const berth_host_api* host);

 private:
  LibraryFile(std::filesystem::path path, int fd);

  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_LIBRARY_FILE_H_
