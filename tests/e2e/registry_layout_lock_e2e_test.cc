// Two berth processes writing one destination at the same time. Into one OCI
// layout: index.json keeps both images (the layout's lock file serialises its
// updates). Into one docker-archive path: each writes its own temporary file,
// both succeed, and the archive left is one whole image.
#include <gtest/gtest.h>

#include <chrono>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "child_process.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {

// Two images in img/, tagged one and two, pushed to `host` (plain HTTP) as
// team/one:1 and team/two:1.
std::pair<oci::Descriptor, oci::Descriptor> PushTwoImages(BerthRunner& berth, const std::string& host, uint32_t seed) {
  TestLayout layout(berth.work_dir() / "img");
  auto first = layout.AddImage("linux/amd64", {150000}, seed);
  layout.Tag(first, "one");
  auto second = layout.AddImage("linux/amd64", {160000}, seed + 1);
  layout.Tag(second, "two");
  for (const std::string name : {"one", "two"}) {
    auto pushed = berth.Run({"push", "oci:img:" + name, host + "/team/" + name + ":1", "--plain-http", host});
    EXPECT_EQ(pushed.exit_code, 0) << Describe(pushed);
  }
  return {first, second};
}

TEST(RegistryLayoutLockE2eTest, ConcurrentPullsIntoOneLayoutKeepBothImages) {
  BerthRunner berth;
  auto registry = StartRegistry("plain");
  const std::string host = registry->host();
  auto [first, second] = PushTwoImages(berth, host, 71);
  ASSERT_FALSE(::testing::Test::HasFailure());

  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::unique_ptr<ChildProcess>> pulls;
    for (const std::string name : {"one", "two"}) {
      pulls.push_back(StartBerth(berth, {"pull", host + "/team/" + name + ":1", "oci:shared:" + name + "-" + std::to_string(round), "--plain-http", host},
                                 "pull-" + name));
    }
    for (auto& pull : pulls) ASSERT_EQ(pull->Wait(std::chrono::seconds(60)), 0) << ReadFile(berth.home() / "pull-one.err");
  }
  auto index = nlohmann::json::parse(ReadFile(berth.work_dir() / "shared" / "index.json"));
  std::map<std::string, std::string> tags;
  for (const auto& entry : index["manifests"]) {
    tags[entry["annotations"]["org.opencontainers.image.ref.name"].get<std::string>()] = entry["digest"].get<std::string>();
  }
  ASSERT_EQ(tags.size(), size_t(2 * kRounds));
  for (int round = 0; round < kRounds; ++round) {
    EXPECT_EQ(tags["one-" + std::to_string(round)], first.digest.str());
    EXPECT_EQ(tags["two-" + std::to_string(round)], second.digest.str());
  }
  auto check = berth.Json({"inspect", "oci:shared:two-0"});
  EXPECT_EQ(check["digest"], second.digest.str());
}

TEST(RegistryLayoutLockE2eTest, ConcurrentPullsToOneDockerArchiveLeaveOneWholeImage) {
  BerthRunner berth;
  auto registry = StartRegistry("plain");
  PushTwoImages(berth, registry->host(), 73);
  ASSERT_FALSE(::testing::Test::HasFailure());
  // Every GET waits 300 ms, so the two pulls are writing at the same time.
  auto proxy = StartSlowProxy(registry->host(), 300, "GET");
  WriteFileAtomic(berth.home() / "config" / "berth" / "registries.yaml", "registries:\n  \"" + proxy->host() + "\": {plain-http: true}\n");

  std::vector<std::unique_ptr<ChildProcess>> pulls;
  for (const std::string name : {"one", "two"}) {
    pulls.push_back(StartBerth(berth, {"copy", proxy->host() + "/team/" + name + ":1", "docker-archive:shared.tar"}, "pull-" + name));
  }
  EXPECT_EQ(pulls[0]->Wait(std::chrono::seconds(60)), 0) << ReadFile(berth.home() / "pull-one.err");
  EXPECT_EQ(pulls[1]->Wait(std::chrono::seconds(60)), 0) << ReadFile(berth.home() / "pull-two.err");
  // A docker-archive keeps no manifest, so its layers say which image it is.
  auto layers = berth.Json({"inspect", "docker-archive:shared.tar"})["layers"];
  EXPECT_TRUE(layers == berth.Json({"inspect", "oci:img:one"})["layers"] || layers == berth.Json({"inspect", "oci:img:two"})["layers"])
      << layers.dump();
  // The archive reads back whole: every blob it lists verifies on the way out.
  auto out = berth.Run({"copy", "docker-archive:shared.tar", "oci:back:x"});
  EXPECT_EQ(out.exit_code, 0) << Describe(out);
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(berth.work_dir())) {
    if (entry.path().filename().string().find(".berth-tmp") != std::string::npos) left.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(left, std::vector<std::string>{});
}

}  // namespace
}  // namespace berth::testing
