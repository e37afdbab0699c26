// The sha256 of plugin libraries, remembered between runs, so that listing
// plugins does not read every library every time: hashing them was most of
// `berth plugin list` (about 1 MB per library; docs/benchmarks.md).
//
// What is cached is the hash, never a verdict: the checks that compare it
// with the manifest and the install record run on every listing.
//
// An entry holds only while the file is the one that was hashed: same path,
// device, inode, size, mtime and ctime (nanoseconds), as git's index does.
// Writing to a file sets its ctime to the current time and nothing short of
// changing the system clock sets it back (`touch -r` restores mtime, not
// ctime), so a library edited in place, replaced or copied over misses the
// cache and is hashed again. Two limits follow from that rule:
//   - only filesystems that keep a ctime are trusted (ext2/3/4, xfs, btrfs,
//     tmpfs, overlayfs, f2fs, zfs, bcachefs); on others (NFS, FUSE, vfat...)
//     every library is hashed every time;
//   - a file whose ctime is younger than kRacyWindow when hashing starts is
//     not recorded: a write within the same tick of the filesystem's clock
//     would not change its ctime (git's "racily clean" entries).
//
// The cache only speeds up listing. Loading a plugin hashes its library from
// the descriptor it is then loaded from (Mode::kFresh; library_file.h).
//
// The file, $XDG_CACHE_HOME/berth/library-hashes, is 0600 in a 0700
// directory and replaced atomically. It is ignored unless both are owned by
// this user and writable by no one else, and ignored when malformed.
#ifndef BERTH_HOST_CORE_PLUGINS_LIBRARY_HASH_CACHE_H_
#define BERTH_HOST_CORE_PLUGINS_LIBRARY_HASH_CACHE_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/plugins/file_sha256.h"

namespace berth::host {

class LibraryHashCache {
 public:
  enum class Mode {
    kCached,  // An entry for the file as it is now may answer.
    kFresh,   // Read and hash the file, then remember the result.
  };
  static constexpr std::chrono::nanoseconds kRacyWindow = std::chrono::seconds(2);

  // The user's cache file; empty (no cache) without a home directory.
  static std::filesystem::path DefaultFile();

  // An empty `file`: nothing is kept between runs.
  explicit LibraryHashCache(std::filesystem::path file = DefaultFile(),
                            std::chrono::nanoseconds racy_window = kRacyWindow);
  ~LibraryHashCache();
  LibraryHashCache(const LibraryHashCache&) = delete;
  LibraryHashCache& operator=(const LibraryHashCache&) = delete;

  // The library's sha256 in lowercase hex. Throws Error(kInvalidInput) when
  // it cannot be opened, Error(kFailure) when reading it fails.
  std::string Sha256(const std::filesystem::path& library, Mode mode = Mode::kCached);
  // The same for the file open on `fd` (the caller's, which it will load):
  // an entry answers only when the fstat of `fd` is the file it was made
  // for, and a hash is read through `fd`. `library` keys the entry and
  // names it in messages.
  std::string Sha256(const std::filesystem::path& library, int fd, Mode mode);

  // Hashes those of `libraries` that no entry answers for, on up to
  // `threads` threads, so that Sha256(kCached) finds them: a first listing
  // hashes every library. Failures are left for Sha256 to report.
  void Prefetch(const std::vector<std::filesystem::path>& libraries, unsigned threads);

  // Writes the file when an entry was added or changed. A cache that cannot
  // be written is no error: the next run hashes again.
  void Save() noexcept;

  // How many libraries were read and hashed (the rest came from the cache).
  int files_hashed() const { return files_hashed_; }

  // What identifies the file that was hashed.
  struct Entry {
    std::string sha256;
    uint64_t device = 0;
    uint64_t inode = 0;
    int64_t size = 0;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    bool used = false;  // Looked up or written by this run (kept first when the file is trimmed).
  };

 private:
  void LoadOnce();
  bool Cacheable(const std::filesystem::path& library) const;
  // The hash of the library as it is now (the file open on `fd`, else the
  // one at `library`), if this run or the file knows it.
  const std::string* Lookup(const std::filesystem::path& library, int fd);
  // Keeps what was hashed for this run, and records it when it may be.
  void Remember(const std::filesystem::path& library, const FileSha256& hashed);

  std::filesystem::path file_;
  std::chrono::nanoseconds racy_window_;
  bool loaded_ = false;
  bool dirty_ = false;
  int files_hashed_ = 0;
  std::map<std::string, Entry> entries_;   // By path: the file's, and what this run recorded.
  std::map<std::string, Entry> this_run_;  // By path: hashed in this run, recordable or not.
  std::unique_ptr<char[]> buffer_;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_LIBRARY_HASH_CACHE_H_
