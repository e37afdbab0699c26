// Two berth processes pulling into one OCI layout at the same time: index.json
// keeps both images (the layout's lock file serialises its updates).
#include <gtest/gtest.h>

#include <chrono>

#include "berth/fs.h"
#include "berth_runner.h"
#include "child_process.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {

TEST(RegistryLayoutLockE2eTest, ConcurrentPullsIntoOneLayoutKeepBothImages) {
  BerthRunner berth;
  TestLayout layout(berth.work_dir() / "img");
  auto first = layout.AddImage("linux/amd64", {150000}, 71);
  layout.Tag(first, "one");
  auto second = layout.AddImage("linux/amd64", {160000}, 72);
  layout.Tag(second, "two");
  auto registry = StartRegistry("plain");
  const std::string host = registry->host();
  ASSERT_EQ(berth.Run({"push", "oci:img:one", host + "/team/one:1", "--plain-http", host}).exit_code, 0);
  ASSERT_EQ(berth.Run({"push", "oci:img:two", host + "/team/two:1", "--plain-http", host}).exit_code, 0);

  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::unique_ptr<ChildProcess>> pulls;
    for (const std::string name : {"one", "two"}) {
      ChildProcess::Options options;
      options.env = berth.env();
      options.cwd = berth.work_dir();
      options.stderr_file = berth.home() / ("pull-" + name + ".err");
      options.stdout_file = berth.home() / ("pull-" + name + ".out");
      pulls.push_back(std::make_unique<ChildProcess>(
          std::vector<std::string>{BERTH_BINARY, "pull", host + "/team/" + name + ":1", "oci:shared:" + name + "-" + std::to_string(round),
                                   "--plain-http", host},
          options));
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

}  // namespace
}  // namespace berth::testing
