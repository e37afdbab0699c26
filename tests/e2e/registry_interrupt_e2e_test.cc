// Ctrl-C in the middle of a pull: berth exits 130, and neither an OCI layout
// nor a docker-archive's folder keeps a temporary file. The fault proxy only
// delays GETs (no faults), so the interrupt lands while one is open.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "child_process.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

// Temporary files berth writes beside their final names: ".tmp-<digest>-*"
// for a layout's blobs, ".<name>.berth-tmp-*" for a docker-archive.
std::vector<std::string> TemporaryFiles(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(dir, error)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(".tmp-", 0) == 0 || name.find(".berth-tmp-") != std::string::npos) names.push_back(name);
  }
  return names;
}

class RegistryInterruptE2eTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RegistryInterruptE2eTest, InterruptedPullLeavesNoTemporaryFile) {
  BerthRunner berth;
  TestLayout layout(berth.work_dir() / "img");
  auto image = layout.AddImage("linux/amd64", {6u << 20}, 71);
  layout.Tag(image, "v1");
  auto registry = StartRegistry("plain");
  auto proxy = StartSlowProxy(registry->host(), 1000, "GET");
  WriteFileAtomic(berth.home() / "config" / "berth" / "registries.yaml",
                  "registries:\n  \"" + registry->host() + "\": {plain-http: true}\n  \"" + proxy->host() + "\": {plain-http: true}\n");
  auto pushed = berth.Run({"push", "oci:img:v1", registry->host() + "/team/app:1"});
  ASSERT_EQ(pushed.exit_code, 0) << Describe(pushed);

  const fs::path out = berth.work_dir() / "out";
  fs::create_directories(out);
  auto pull = StartBerth(berth, {"copy", proxy->host() + "/team/app:1", GetParam()}, "pull");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (TemporaryFiles(out).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_FALSE(TemporaryFiles(out).empty()) << "nothing was in flight; stderr: " << ReadFile(berth.home() / "pull.err");

  pull->Signal(SIGINT);
  EXPECT_EQ(pull->Wait(std::chrono::seconds(10)), 130);
  EXPECT_EQ(TemporaryFiles(out), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(out / "layout" / "index.json"));
  EXPECT_FALSE(fs::exists(out / "image.tar"));
}

INSTANTIATE_TEST_SUITE_P(Destinations, RegistryInterruptE2eTest, ::testing::Values("oci:out/layout:x", "docker-archive:out/image.tar"),
                         [](const auto& info) { return info.index == 0 ? std::string("OciLayout") : std::string("DockerArchive"); });

}  // namespace
}  // namespace berth::testing
