// BlobFile: every byte lands whatever the size, the chunking and the way it
// was written (direct or through the page cache), and nothing is left
// behind unless the blob was published.
#include "blob_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "berth/util/fs.h"
#include "test_image.h"

namespace berth::oci {
namespace {
namespace fs = std::filesystem;

// Fills the file in pieces of varying size, as a network stream arrives.
void WriteInPieces(BlobFile& file, const std::string& data) {
  size_t position = 0, step = 1;
  while (position < data.size()) {
    std::span<char> space = file.Space();
    ASSERT_FALSE(space.empty());
    size_t n = std::min({space.size(), data.size() - position, step});
    std::memcpy(space.data(), data.data() + position, n);
    file.Commit(n);
    position += n;
    step = step * 31 % 300007 + 1;
  }
}

std::vector<std::string> Entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Whether this directory's filesystem takes an aligned O_DIRECT write.
bool TakesDirectWrites(const fs::path& dir) {
  fs::path probe = dir / "probe";
  int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  void* block = std::aligned_alloc(4096, 4096);
  std::memset(block, 0, 4096);
  bool ok = write(fd, block, 4096) == 4096;
  std::free(block);
  close(fd);
  fs::remove(probe);
  return ok;
}

TEST(BlobFileTest, WritesEveryByteWhateverTheSizeAndTheWay) {
  TempDir dir("berth-blob-file-test");
  for (bool allow_direct : {true, false}) {
    for (size_t size : {size_t(0), size_t(1), size_t(4095), size_t(4096), size_t(4097), size_t(1) << 20, (size_t(1) << 20) + 1,
                        size_t(BlobFile::kDirectMinSize), size_t(BlobFile::kDirectMinSize) + 12345}) {
      SCOPED_TRACE("size " + std::to_string(size) + (allow_direct ? ", direct allowed" : ", page cache"));
      std::string data = testing::RandomBytes(size, uint32_t(size));
      fs::path target = dir.path() / ("blob-" + std::to_string(size));
      {
        BlobFile file(target, size, allow_direct);
        WriteInPieces(file, data);
        file.Publish();
      }
      EXPECT_EQ(ReadFile(target), data);
      struct stat info {};
      ASSERT_EQ(stat(target.c_str(), &info), 0);
      EXPECT_EQ(info.st_mode & 0777, 0644u);
      fs::remove(target);
      EXPECT_TRUE(fs::is_empty(dir.path())) << Entries(dir.path()).front();
    }
  }
}

TEST(BlobFileTest, LargeBlobsBypassThePageCacheWhereTheFilesystemAllows) {
  TempDir dir("berth-blob-file-test");
  const size_t size = BlobFile::kDirectMinSize + 12345;
  std::string data = testing::RandomBytes(size, 7);
  const bool direct = TakesDirectWrites(dir.path());

  BlobFile large(dir.path() / "large", size);
  WriteInPieces(large, data);
  large.Publish();
  // All but the partial last block, which only the page cache takes.
  EXPECT_EQ(large.direct_bytes(), direct ? size / 4096 * 4096 : 0u);
  EXPECT_EQ(ReadFile(dir.path() / "large"), data);

  BlobFile small(dir.path() / "small", BlobFile::kDirectMinSize - 1);
  WriteInPieces(small, data.substr(0, BlobFile::kDirectMinSize - 1));
  small.Publish();
  EXPECT_EQ(small.direct_bytes(), 0u);

  BlobFile refused(dir.path() / "refused", size, /*allow_direct=*/false);
  WriteInPieces(refused, data);
  refused.Publish();
  EXPECT_EQ(refused.direct_bytes(), 0u);
}

TEST(BlobFileTest, AnUnpublishedBlobLeavesNothing) {
  TempDir dir("berth-blob-file-test");
  std::string data = testing::RandomBytes(3u << 20, 3);
  {
    BlobFile file(dir.path() / "blob", BlobFile::kDirectMinSize + 1);
    WriteInPieces(file, data);
    ASSERT_EQ(Entries(dir.path()).size(), 1u);  // The temporary file, under another name.
    EXPECT_NE(Entries(dir.path()).front(), "blob");
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(BlobFileTest, NamesTheFolderItCannotWriteIn) {
  TempDir dir("berth-blob-file-test");
  try {
    BlobFile file(dir.path() / "missing" / "blob", 10);
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path() / "missing").string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace berth::oci
