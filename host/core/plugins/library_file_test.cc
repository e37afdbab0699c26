// One descriptor from the checks to dlopen: a library swapped at its path
// after it was opened and hashed is not what loads. The libraries are the
// real fixture plugins (tests/plugin_fixtures); evil-echo leaves a marker
// file from a constructor the moment it is mapped.
#include "core/plugins/library_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "core/plugins/library_hash_cache.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

const fs::path kFixtures = BERTH_FIXTURE_PLUGIN_DIR;

fs::path Fixture(const std::string& name) { return kFixtures / name / name / ("libberth-" + name + ".so"); }

class LibraryFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy_file(Fixture("echo"), library_);
    ::setenv("BERTH_EVIL_MARKER", marker_.c_str(), 1);
  }
  void TearDown() override { ::unsetenv("BERTH_EVIL_MARKER"); }

  // Puts a copy of `from` at the library's path by rename, as a checkout
  // does: a new file where the old one was.
  void SwapIn(const fs::path& from) {
    fs::copy_file(from, dir_.path() / "incoming.so", fs::copy_options::overwrite_existing);
    fs::rename(dir_.path() / "incoming.so", library_);
  }

  TempDir dir_{"berth-library-file"};
  fs::path library_ = dir_.path() / "libberth-echo.so";
  fs::path marker_ = dir_.path() / "evil-ran";
};

TEST_F(LibraryFileTest, TheFileHashedIsTheFileLoadedThoughThePathNowNamesAnother) {
  LibraryFile file = LibraryFile::Open(library_);
  LibraryHashCache hashes{fs::path()};
  EXPECT_EQ(hashes.Sha256(library_, file.fd(), LibraryHashCache::Mode::kFresh), Sha256FileHex(Fixture("echo")));

  SwapIn(Fixture("evil-echo"));
  ASSERT_EQ(Sha256FileHex(library_), Sha256FileHex(Fixture("evil-echo")));
  auto loaded = file.Load("echo", nullptr);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded.value()->version(), "1.0.0") << "the library swapped in after the hash was mapped";
  EXPECT_EQ(loaded.value()->path(), library_) << "messages name the library, not /proc/self/fd";
  EXPECT_FALSE(fs::exists(marker_)) << "evil-echo's constructor ran";
  EXPECT_EQ(file.fd(), -1) << "the loader took the descriptor";

  // The marker is no dead letter: mapping evil-echo does leave it.
  auto evil = LibraryFile::Open(library_).Load("echo", nullptr);
  ASSERT_TRUE(evil.ok()) << evil.status().message();
  EXPECT_EQ(evil.value()->version(), "6.6.6");
  EXPECT_TRUE(fs::exists(marker_));
}

// The loader knows a library by the name it was opened with: were the
// descriptor closed after dlopen, the next library opened would get its
// number, and dlopen("/proc/self/fd/N") would hand back the first one.
TEST_F(LibraryFileTest, ALaterLibraryIsNotTakenForAnEarlierOne) {
  auto first = LibraryFile::Open(library_).Load("echo", nullptr);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first.value()->version(), "1.0.0");
  const fs::path second_path = dir_.path() / "libberth-echo-v2.so";
  fs::copy_file(Fixture("echo-v2"), second_path);
  auto second = LibraryFile::Open(second_path).Load("echo", nullptr);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second.value()->version(), "2.0.0");
}

TEST_F(LibraryFileTest, NotALoadableLibraryIsReportedByItsPath) {
  WriteFileAtomic(library_, "not an ELF file");
  auto loaded = LibraryFile::Open(library_).Load("echo", nullptr);
  ASSERT_FALSE(loaded.ok());
  const std::string message = loaded.status().message();
  EXPECT_EQ(message.rfind("plugin " + library_.string() + ": not a loadable shared library (" + library_.string() + ": ", 0), 0u)
      << message;
  EXPECT_EQ(message.find("/proc/self/fd"), std::string::npos) << message;
}

TEST_F(LibraryFileTest, OnlyARegularFileOpens) {
  const fs::path fifo = dir_.path() / "libfifo.so";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const fs::path& path : {fifo, dir_.path()}) {
    try {
      (void)LibraryFile::Open(path);
      ADD_FAILURE() << path << " opened";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
      EXPECT_EQ(std::string(e.what()), "cannot read " + path.string() + ": not a regular file");
    }
  }
}

}  // namespace
}  // namespace berth::host
