#include "core/plugins/library_hash_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "core/config/host_paths.h"
#include "core/plugins/file_sha256.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr char kHeader[] = "berth-library-hashes 1";
constexpr size_t kBufferSize = 1 << 20;  // Large reads: a few syscalls per library.
constexpr size_t kMaxFileSize = 4 << 20;
// Enough for every plugin of many search paths; beyond it, entries this run
// did not use are dropped first.
constexpr size_t kMaxEntries = 4096;

LibraryHashCache::Entry Identity(const struct stat& st) {
  LibraryHashCache::Entry entry;
  entry.device = uint64_t(st.st_dev);
  entry.inode = uint64_t(st.st_ino);
  entry.size = int64_t(st.st_size);
  entry.mtime_ns = Nanoseconds(st.st_mtim);
  entry.ctime_ns = Nanoseconds(st.st_ctim);
  return entry;
}

bool SameFile(const LibraryHashCache::Entry& a, const LibraryHashCache::Entry& b) {
  return a.device == b.device && a.inode == b.inode && a.size == b.size && a.mtime_ns == b.mtime_ns && a.ctime_ns == b.ctime_ns;
}

// Only this user's own cache, which no one else could have written: another
// user's entries would decide what `plugin list` reports.
bool PrivateToMe(const struct stat& st, bool directory) {
  bool kind = directory ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
  return kind && st.st_uid == geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

bool PrivateDirectory(const fs::path& dir) {
  struct stat st {};
  return lstat(dir.c_str(), &st) == 0 && PrivateToMe(st, true);
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// "<sha256> <device> <inode> <size> <mtime_ns> <ctime_ns> <path>"; the path
// last, so it may hold spaces.
bool ParseLine(std::string_view line, std::string* path, LibraryHashCache::Entry* entry) {
  std::string_view fields[6];
  for (auto& field : fields) {
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return false;
    field = line.substr(0, space);
    line.remove_prefix(space + 1);
  }
  if (line.empty() || line[0] != '/' || !IsSha256Hex(fields[0])) return false;
  entry->sha256 = std::string(fields[0]);
  *path = std::string(line);
  return ParseNumber(fields[1], &entry->device) && ParseNumber(fields[2], &entry->inode) &&
         ParseNumber(fields[3], &entry->size) && ParseNumber(fields[4], &entry->mtime_ns) &&
         ParseNumber(fields[5], &entry->ctime_ns);
}

// The whole file, or nothing when it is not this user's private file.
std::string ReadPrivateFile(const fs::path& file) {
  int fd = open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  struct stat st {};
  if (fstat(fd, &st) == 0 && PrivateToMe(st, false) && size_t(st.st_size) <= kMaxFileSize) {
    text.resize(size_t(st.st_size));
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = read(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += size_t(n);
    }
    text.resize(done);
  }
  close(fd);
  return text;
}

}  // namespace

fs::path LibraryHashCache::DefaultFile() {
  fs::path dir = UserCacheDir();
  return dir.empty() ? fs::path() : dir / "library-hashes";
}

LibraryHashCache::LibraryHashCache(fs::path file, std::chrono::nanoseconds racy_window)
    : file_(std::move(file)), racy_window_(racy_window) {}

LibraryHashCache::~LibraryHashCache() = default;

void LibraryHashCache::LoadOnce() {
  if (loaded_) return;
  loaded_ = true;
  if (file_.empty() || !PrivateDirectory(file_.parent_path())) return;
  std::string text = ReadPrivateFile(file_);
  std::string_view rest(text);
  size_t newline = rest.find('\n');
  if (newline == std::string_view::npos || rest.substr(0, newline) != kHeader) return;
  rest.remove_prefix(newline + 1);
  std::map<std::string, Entry> entries;
  while (!rest.empty()) {
    newline = rest.find('\n');
    if (newline == std::string_view::npos) return;  // Cut short: the whole file is suspect.
    std::string path;
    Entry entry;
    if (!ParseLine(rest.substr(0, newline), &path, &entry)) return;
    entries[path] = entry;
    rest.remove_prefix(newline + 1);
  }
  entries_ = std::move(entries);
}

bool LibraryHashCache::Cacheable(const fs::path& library) const {
  // A relative path names different files from different directories, and a
  // newline would break the file's lines: neither is cached. (Without a file,
  // what is hashed is still kept for the rest of the run.)
  return library.is_absolute() && library.native().find('\n') == std::string::npos;
}

const std::string* LibraryHashCache::Lookup(const fs::path& library, int fd) {
  // With a descriptor, the file it holds is the one asked about, whatever
  // the path names by now (it is the one that will be loaded).
  struct stat st {};
  if ((fd >= 0 ? fstat(fd, &st) : stat(library.c_str(), &st)) != 0) return nullptr;
  const Entry now = Identity(st);
  // Hashed earlier in this run (Prefetch), whether or not it may be recorded.
  if (auto it = this_run_.find(library.native()); it != this_run_.end() && SameFile(it->second, now)) return &it->second.sha256;
  auto it = entries_.find(library.native());
  struct statfs info {};
  if (it == entries_.end() || !SameFile(it->second, now) ||
      (fd >= 0 ? fstatfs(fd, &info) : statfs(library.c_str(), &info)) != 0 || !KeepsChangeTime(info)) {
    return nullptr;
  }
  it->second.used = true;
  return &it->second.sha256;
}

void LibraryHashCache::Remember(const fs::path& library, const FileSha256& hashed) {
  Entry entry = Identity(hashed.before);
  entry.sha256 = hashed.hex;
  entry.used = true;
  if (hashed.stable) this_run_[library.native()] = entry;
  // Unchanged while it was read, and changed last long enough ago that a
  // later write must give it another ctime (see kRacyWindow). mtime says
  // nothing here: anyone who may write the file may set it.
  if (hashed.stable && hashed.keeps_ctime && hashed.started_ns - entry.ctime_ns >= racy_window_.count()) {
    Entry& slot = entries_[library.native()];
    if (slot.sha256 != entry.sha256 || !SameFile(slot, entry)) dirty_ = true;
    slot = entry;
  } else if (entries_.erase(library.native()) > 0) {
    dirty_ = true;  // Whatever it said, it is not this file's hash.
  }
}

std::string LibraryHashCache::Sha256(const fs::path& library, Mode mode) {
  // As HashFile opens it (O_NONBLOCK: a FIFO must not hang berth).
  int fd = open(library.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error(ErrorCode::kInvalidInput, "cannot read " + library.string() + ": " + std::strerror(errno));
  try {
    std::string hex = Sha256(library, fd, mode);
    close(fd);
    return hex;
  } catch (...) {
    close(fd);
    throw;
  }
}

std::string LibraryHashCache::Sha256(const fs::path& library, int fd, Mode mode) {
  const bool cacheable = Cacheable(library);
  if (cacheable) LoadOnce();
  if (cacheable && mode == Mode::kCached) {
    if (const std::string* known = Lookup(library, fd)) return *known;
  }
  if (!buffer_) buffer_.reset(new char[kBufferSize]);
  FileSha256 hashed = HashDescriptor(fd, library, buffer_.get(), kBufferSize);
  ++files_hashed_;
  if (cacheable) Remember(library, hashed);
  return hashed.hex;
}

void LibraryHashCache::Prefetch(const std::vector<fs::path>& libraries, unsigned threads) {
  std::vector<fs::path> missing;
  for (const auto& library : libraries) {
    if (!Cacheable(library)) continue;
    LoadOnce();
    if (Lookup(library, -1) == nullptr) missing.push_back(library);
  }
  threads = std::min<unsigned>(threads, unsigned(missing.size()));
  if (threads < 2) return;  // Sha256 hashes a single one as fast.
  std::vector<std::optional<FileSha256>> results(missing.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    std::unique_ptr<char[]> buffer(new char[kBufferSize]);
    for (size_t i = next++; i < missing.size(); i = next++) {
      try {
        results[i] = HashFile(missing[i], buffer.get(), kBufferSize);
      } catch (const std::exception&) {
        // Left for Sha256, which reports it with the check that asked.
      }
    }
  };
  std::vector<std::thread> helpers;
  for (unsigned i = 1; i < threads; ++i) {
    try {
      helpers.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // No more threads to be had: fewer do the same work.
    }
  }
  work();
  for (auto& helper : helpers) helper.join();
  for (size_t i = 0; i < missing.size(); ++i) {
    if (!results[i]) continue;
    ++files_hashed_;
    Remember(missing[i], *results[i]);
  }
}

void LibraryHashCache::Save() noexcept {
  if (!dirty_ || file_.empty()) return;
  dirty_ = false;
  try {
    const fs::path dir = file_.parent_path();
    CreateDirectories(dir, 0700);
    if (!PrivateDirectory(dir)) return;
    std::vector<const std::pair<const std::string, Entry>*> kept;
    for (bool used : {true, false}) {
      for (const auto& item : entries_) {
        if (item.second.used == used && kept.size() < kMaxEntries) kept.push_back(&item);
      }
    }
    std::string text = std::string(kHeader) + "\n";
    for (const auto* item : kept) {
      const Entry& e = item->second;
      text += e.sha256 + " " + std::to_string(e.device) + " " + std::to_string(e.inode) + " " + std::to_string(e.size) + " " +
              std::to_string(e.mtime_ns) + " " + std::to_string(e.ctime_ns) + " " + item->first + "\n";
    }
    WriteFileAtomic(file_, text, 0600);
  } catch (...) {
    // A cache: the next run hashes again.
  }
}

}  // namespace berth::host
