#include "core/plugins/library_hash_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "berth/error.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;
using Mode = LibraryHashCache::Mode;

// Tests record files they have just written, so the racy window is off; a
// pause before each in-place edit stands in for it (the edit must fall in a
// later tick of the filesystem's clock, as the window guarantees in use).
constexpr std::chrono::nanoseconds kNoWindow{0};

void Pause() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

// Flips one byte in place: same inode, same size.
void EditInPlace(const fs::path& file) {
  int fd = open(file.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char byte = 0;
  ASSERT_EQ(pread(fd, &byte, 1, 3), 1);
  byte = char(byte ^ 0x5a);
  ASSERT_EQ(pwrite(fd, &byte, 1, 3), 1);
  close(fd);
}

class LibraryHashCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteFileAtomic(library_, std::string(300000, 'x') + "the library", 0755); }

  // A cache file holding `sha256` for the library as it is now.
  void WriteEntry(const std::string& sha256, mode_t mode) {
    struct stat st {};
    ASSERT_EQ(stat(library_.c_str(), &st), 0);
    auto ns = [](const timespec& t) { return std::to_string(int64_t(t.tv_sec) * 1'000'000'000 + t.tv_nsec); };
    CreateDirectories(cache_.parent_path(), 0700);
    WriteFileAtomic(cache_, "berth-library-hashes 1\n" + sha256 + " " + std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) +
                                " " + std::to_string(st.st_size) + " " + ns(st.st_mtim) + " " + ns(st.st_ctim) + " " +
                                library_.string() + "\n",
                    mode);
    ASSERT_EQ(chmod(cache_.c_str(), mode), 0);
  }

  TempDir temp_{"berth-hash-cache"};
  fs::path library_ = temp_.path() / "plugins" / "demo" / "libdemo.so";
  fs::path cache_ = temp_.path() / "cache" / "berth" / "library-hashes";
  std::string lie_ = std::string(64, 'a');
};

TEST_F(LibraryHashCacheTest, AnUnchangedLibraryIsReadOnce) {
  const std::string real = Sha256FileHex(library_);
  {
    LibraryHashCache cache(cache_, kNoWindow);
    EXPECT_EQ(cache.Sha256(library_), real);
    EXPECT_EQ(cache.Sha256(library_), real);
    EXPECT_EQ(cache.files_hashed(), 1);
    cache.Save();
  }
  LibraryHashCache next_run(cache_, kNoWindow);
  EXPECT_EQ(next_run.Sha256(library_), real);
  EXPECT_EQ(next_run.files_hashed(), 0);
  // Loading never takes the cache's word.
  EXPECT_EQ(next_run.Sha256(library_, Mode::kFresh), real);
  EXPECT_EQ(next_run.files_hashed(), 1);
}

TEST_F(LibraryHashCacheTest, TheFileAndItsDirectoryArePrivate) {
  LibraryHashCache cache(cache_, kNoWindow);
  cache.Sha256(library_);
  cache.Save();
  struct stat st {};
  ASSERT_EQ(stat(cache_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(cache_.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(LibraryHashCacheTest, ALibraryEditedInPlaceIsHashedAgain) {
  {
    LibraryHashCache cache(cache_, kNoWindow);
    cache.Sha256(library_);
    cache.Save();
  }
  Pause();
  EditInPlace(library_);
  LibraryHashCache next_run(cache_, kNoWindow);
  EXPECT_EQ(next_run.Sha256(library_), Sha256FileHex(library_));
  EXPECT_EQ(next_run.files_hashed(), 1);
}

TEST_F(LibraryHashCacheTest, RestoringTheMtimeDoesNotHideAnEdit) {
  struct stat original {};
  ASSERT_EQ(stat(library_.c_str(), &original), 0);
  {
    LibraryHashCache cache(cache_, kNoWindow);
    cache.Sha256(library_);
    cache.Save();
  }
  Pause();
  EditInPlace(library_);
  const timespec times[2] = {original.st_atim, original.st_mtim};  // What `touch -r` does.
  ASSERT_EQ(utimensat(AT_FDCWD, library_.c_str(), times, 0), 0);
  LibraryHashCache next_run(cache_, kNoWindow);
  EXPECT_EQ(next_run.Sha256(library_), Sha256FileHex(library_));
  EXPECT_EQ(next_run.files_hashed(), 1);
}

TEST_F(LibraryHashCacheTest, ALibraryChangedMomentsAgoIsNotRecorded) {
  {
    LibraryHashCache cache(cache_);  // The real window: the library was written just now.
    cache.Sha256(library_);
    cache.Save();
  }
  EXPECT_FALSE(fs::exists(cache_));
}

TEST_F(LibraryHashCacheTest, AnEntryIsTakenFromThisUsersPrivateFileOnly) {
  // The lie proves the entry is read; the real hash, that it was ignored.
  WriteEntry(lie_, 0600);
  EXPECT_EQ(LibraryHashCache(cache_, kNoWindow).Sha256(library_), lie_);
  WriteEntry(lie_, 0622);
  EXPECT_EQ(LibraryHashCache(cache_, kNoWindow).Sha256(library_), Sha256FileHex(library_));
  WriteEntry(lie_, 0600);
  ASSERT_EQ(chmod(cache_.parent_path().c_str(), 0777), 0);
  EXPECT_EQ(LibraryHashCache(cache_, kNoWindow).Sha256(library_), Sha256FileHex(library_));
  ASSERT_EQ(chmod(cache_.parent_path().c_str(), 0700), 0);
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another uid";
  ASSERT_EQ(chown(cache_.c_str(), 12345, 12345), 0);
  EXPECT_EQ(LibraryHashCache(cache_, kNoWindow).Sha256(library_), Sha256FileHex(library_));
}

TEST_F(LibraryHashCacheTest, AMalformedFileIsIgnoredAndReplaced) {
  CreateDirectories(cache_.parent_path(), 0700);
  const std::vector<std::string> malformed = {"garbage", "berth-library-hashes 1\nnot an entry\n", "berth-library-hashes 2\n",
                                              "berth-library-hashes 1\n" + lie_ + " 1 2 3 4 5 relative/path\n"};
  for (const std::string& text : malformed) {
    WriteFileAtomic(cache_, text, 0600);
    LibraryHashCache cache(cache_, kNoWindow);
    EXPECT_EQ(cache.Sha256(library_), Sha256FileHex(library_)) << text;
    cache.Save();
  }
  LibraryHashCache next_run(cache_, kNoWindow);
  next_run.Sha256(library_);
  EXPECT_EQ(next_run.files_hashed(), 0) << ReadFile(cache_);
}

TEST_F(LibraryHashCacheTest, PrefetchHashesWhatTheChecksWillAskFor) {
  fs::path other = temp_.path() / "plugins" / "other" / "libother.so";
  WriteFileAtomic(other, std::string(200000, 'y'), 0755);
  LibraryHashCache cache(cache_);  // The real window: neither may be recorded, both are known for this run.
  cache.Prefetch({library_, other, temp_.path() / "absent.so"}, 2);
  EXPECT_EQ(cache.files_hashed(), 2);
  EXPECT_EQ(cache.Sha256(library_), Sha256FileHex(library_));
  EXPECT_EQ(cache.Sha256(other), Sha256FileHex(other));
  EXPECT_EQ(cache.files_hashed(), 2);
  EXPECT_THROW(cache.Sha256(temp_.path() / "absent.so"), Error);  // Reported by the check that asks.
  EXPECT_EQ(cache.Sha256(library_, Mode::kFresh), Sha256FileHex(library_));
  EXPECT_EQ(cache.files_hashed(), 3);
  cache.Save();
  EXPECT_FALSE(fs::exists(cache_));
}

TEST_F(LibraryHashCacheTest, AFifoOrADeviceIsNoLibraryAndHangsNothing) {
  fs::path fifo = temp_.path() / "plugins" / "fifo.so";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  LibraryHashCache cache(cache_, kNoWindow);
  cache.Prefetch({fifo, "/dev/zero", library_}, 2);
  EXPECT_THROW(cache.Sha256(fifo), Error);
  EXPECT_THROW(cache.Sha256("/dev/zero"), Error);
  EXPECT_EQ(cache.Sha256(library_), Sha256FileHex(library_));
}

TEST_F(LibraryHashCacheTest, AMissingLibraryThrowsAndNoCacheStillHashes) {
  EXPECT_THROW(LibraryHashCache(cache_, kNoWindow).Sha256(temp_.path() / "absent.so"), Error);
  LibraryHashCache none{fs::path()};
  EXPECT_EQ(none.Sha256(library_), Sha256FileHex(library_));
  none.Save();
  EXPECT_FALSE(fs::exists(cache_));
}

// The checks read the library through the descriptor that is then loaded:
// an entry answers for the file that descriptor holds, never for whatever
// the path names by now.
TEST_F(LibraryHashCacheTest, AnEntryAnswersForTheFileTheDescriptorHolds) {
  const std::string opened_sha256 = Sha256FileHex(library_);
  int fd = open(library_.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  // Another file is renamed over the path, and this run hashes it there.
  const fs::path incoming = library_.parent_path() / "incoming";
  WriteFileAtomic(incoming, "another library", 0755);
  fs::rename(incoming, library_);
  LibraryHashCache cache(cache_, kNoWindow);
  EXPECT_EQ(cache.Sha256(library_), Sha256Hex("another library"));
  EXPECT_EQ(cache.Sha256(library_, fd, Mode::kCached), opened_sha256);
  EXPECT_EQ(cache.files_hashed(), 2);
  // And an entry made for the open file answers through its descriptor.
  EXPECT_EQ(cache.Sha256(library_, fd, Mode::kCached), opened_sha256);
  EXPECT_EQ(cache.files_hashed(), 2);
  close(fd);
}

}  // namespace
}  // namespace berth::host
