#include "berth/util/fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "berth/error.h"

namespace berth {
namespace {

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat info {};
  stat(path.c_str(), &info);
  return info.st_mode & 0777;
}

TEST(FsTest, AtomicWriteReplacesContentAndSetsMode) {
  TempDir dir;
  auto file = dir.path() / "sub" / "secret.env";
  WriteFileAtomic(file, "A=1\n", 0600);
  EXPECT_EQ(ReadFile(file), "A=1\n");
  EXPECT_EQ(ModeOf(file), 0600u);
  WriteFileAtomic(file, "A=2\n", 0600);
  EXPECT_EQ(ReadFile(file), "A=2\n");
  // No temporary file is left beside it.
  int entries = 0;
  for ([[maybe_unused]] auto& entry : std::filesystem::directory_iterator(file.parent_path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(FsTest, ReadFileNamesTheMissingPath) {
  try {
    ReadFile("/nonexistent/berth/file");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/berth/file"), std::string::npos);
  }
}

TEST(FsTest, TempPathsArePrivateAndRemoved) {
  std::filesystem::path dir_path, file_path;
  {
    TempDir dir;
    dir_path = dir.path();
    EXPECT_EQ(ModeOf(dir_path), 0700u);
    PrivateTempFile file("value", ".json");
    file_path = file.path();
    EXPECT_EQ(ModeOf(file_path), 0600u);
    EXPECT_EQ(ReadFile(file_path), "value");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_path));
  EXPECT_FALSE(std::filesystem::exists(file_path));
}

}  // namespace
}  // namespace berth
