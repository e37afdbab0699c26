// Concurrent writers to one OCI layout: every commit's index.json entry
// survives (an flock serialises the read-modify-write of index.json), and no
// temporary file is left. Each writer has its own sink, as two processes would.
#include <gtest/gtest.h>

#include <thread>

#include "berth/util/fs.h"
#include "registry_test_util.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

TEST(LayoutLockTest, ConcurrentCommitsIntoOneLayoutKeepEveryTag) {
  TempDir temp("berth-layout-lock-test");
  TestLayout source(temp.path() / "src");
  auto image = source.AddImage("linux/amd64", {4000}, 5);
  source.Tag(image, "v1");
  const fs::path shared = temp.path() / "shared";
  constexpr int kWriters = 4, kRounds = 25;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int round = 0; round < kRounds; ++round) {
        Status status = Capture([&] {
          std::string tag = "w" + std::to_string(w) + "-" + std::to_string(round);
          auto from = oci::OpenOciLayoutSource(oci::ImageLocation::Parse("oci:" + source.root().string() + ":v1"));
          auto to = oci::OpenOciLayoutSink(oci::ImageLocation::Parse("oci:" + shared.string() + ":" + tag), "pull");
          oci::CopyImage(*from, *to, {});
        });
        if (!status.ok()) {
          ADD_FAILURE() << status.message();
          ++failures;
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();
  ASSERT_EQ(failures, 0);
  auto index = nlohmann::json::parse(ReadFile(shared / "index.json"));
  std::set<std::string> tags;
  for (const auto& entry : index["manifests"]) {
    EXPECT_EQ(entry["digest"], image.digest.str());
    tags.insert(entry["annotations"]["org.opencontainers.image.ref.name"].get<std::string>());
  }
  EXPECT_EQ(tags.size(), size_t(kWriters * kRounds));
  for (const auto& entry : fs::recursive_directory_iterator(shared)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
  EXPECT_EQ(LayoutBlobs(shared), LayoutBlobs(source.root()));
}

}  // namespace
}  // namespace berth::testing
