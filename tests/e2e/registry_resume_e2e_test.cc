// kill -9 berth in the middle of a multi-layer chunked push, run the same
// command again: it completes, the committed layers are not sent again and
// the open upload resumes where the real docker-registry says it stands.
// The fault proxy only slows PATCH requests (no faults), so the kill lands
// mid-upload deterministically, and it counts the PATCHes of each run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "berth/oci/client.h"
#include "berth/oci/upload_state.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth_runner.h"
#include "child_process.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

constexpr int64_t kChunk = 1 << 20;

mode_t ResumedModeOf(const fs::path& path) {
  struct stat info {};
  stat(path.c_str(), &info);
  return info.st_mode & 0777;
}

int Patches(const TestPeer& proxy) {
  auto stats = TestPeer::GetJson(proxy.ready()["stats_url"].get<std::string>());
  return stats["by_method"].value("PATCH", 0);
}

int64_t Chunks(int64_t bytes) { return (bytes + kChunk - 1) / kChunk; }

TEST(RegistryResumeE2eTest, KilledChunkedPushResumesAndSkipsCommittedLayers) {
  BerthRunner berth;
  const fs::path state_dir = berth.home() / "state" / "berth" / "uploads";
  berth.SetEnv("XDG_STATE_HOME", (berth.home() / "state").string());
  TestLayout layout(berth.work_dir() / "img");
  auto image = layout.AddImage("linux/amd64", {8u << 20, 8u << 20, 8u << 20}, 61);
  layout.Tag(image, "v1");
  auto manifest = oci::Manifest::Parse(layout.ReadBlob(image.digest), image.media_type, "test");
  ASSERT_EQ(manifest.layers.size(), 3u);

  auto registry = StartRegistry("plain");
  auto proxy = StartSlowProxy(registry->host(), 100, "PATCH");
  WriteFileAtomic(berth.home() / "config" / "berth" / "registries.yaml",
                  "registries:\n  \"" + proxy->host() + "\":\n    plain-http: true\n    chunk-size: 1MiB\n");
  const std::vector<std::string> push = {"-o", "json", "push", "-j", "1", "oci:img:v1", proxy->host() + "/team/big:1"};

  // Run 1: killed once layer 0 is committed and layer 1 is two chunks in.
  int64_t seen_offset = 0;
  {
    auto first = StartBerth(berth, push, "run1");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (seen_offset < 2 * kChunk && std::chrono::steady_clock::now() < deadline) {
      std::error_code error;
      for (const auto& entry : fs::directory_iterator(state_dir, error)) {
        if (entry.path().extension() != ".json") continue;
        auto state = nlohmann::json::parse(ReadFile(entry.path()), nullptr, false);
        if (state.is_object() && state.value("digest", "") == manifest.layers[1].digest.str()) seen_offset = state.value("offset", int64_t(0));
      }
      // Killed right after a chunk was confirmed: the next PATCH then sits in
      // the proxy's delay, and the proxy drops it when it sees berth gone.
      // (Distribution cannot resume an upload whose last PATCH landed
      // without berth seeing the answer: its upload URL signs the offset.)
      if (seen_offset < 2 * kChunk) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GE(seen_offset, 2 * kChunk) << "layer 1 never got two chunks in; stderr: " << ReadFile(berth.home() / "run1.err");
    first->Signal(SIGKILL);
    EXPECT_EQ(first->Wait(std::chrono::seconds(10)), 128 + SIGKILL);
  }
  ASSERT_LT(seen_offset, manifest.layers[1].size) << "the layer finished before the kill";
  const int patches_before = Patches(*proxy);

  // What was left: one private state file for the open upload.
  std::vector<fs::path> left;
  for (const auto& entry : fs::directory_iterator(state_dir)) left.push_back(entry.path());
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(ResumedModeOf(left[0]), 0600u);
  EXPECT_EQ(ResumedModeOf(state_dir), 0700u);

  // Run 2: the same command completes.
  std::vector<std::string> again = push;
  again.insert(again.begin(), "-v");
  auto result = berth.Run(again);
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  auto data = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(data["digest"], image.digest.str());
  EXPECT_EQ(data["blobs"]["skipped"], 2);   // The config and layer 0, committed by run 1.
  EXPECT_EQ(data["blobs"]["uploaded"], 2);  // Layer 1 (resumed) and layer 2.
  EXPECT_EQ(data["resumed"]["blobs"], 1) << result.stderr_data;
  const int64_t resumed = data["resumed"]["bytes"].get<int64_t>();
  EXPECT_GE(resumed, seen_offset);
  EXPECT_EQ(resumed % kChunk, 0);
  // Exactly the chunks layer 1 still lacked, and all of layer 2: nothing of
  // layer 0, nothing layer 1 already had.
  EXPECT_EQ(Patches(*proxy) - patches_before, Chunks(manifest.layers[1].size - resumed) + Chunks(manifest.layers[2].size));
  EXPECT_TRUE(fs::is_empty(state_dir));

  // The registry serves the image with every digest verified on the way back.
  auto pulled = berth.Json({"pull", proxy->host() + "/team/big:1", "oci:back"});
  EXPECT_EQ(pulled["digest"], image.digest.str());
  for (const auto& layer : manifest.layers) {
    EXPECT_EQ(Sha256FileHex(berth.work_dir() / "back" / "blobs" / "sha256" / layer.digest.hex()), layer.digest.hex());
  }
}

TEST(RegistryResumeE2eTest, AnUploadTheRegistryForgotStartsOver) {
  BerthRunner berth;
  const fs::path state_dir = berth.home() / "state" / "berth" / "uploads";
  berth.SetEnv("XDG_STATE_HOME", (berth.home() / "state").string());
  TestLayout layout(berth.work_dir() / "img");
  auto image = layout.AddImage("linux/amd64", {300000}, 62);
  layout.Tag(image, "v1");
  auto manifest = oci::Manifest::Parse(layout.ReadBlob(image.digest), image.media_type, "test");
  auto registry = StartRegistry("plain");
  WriteFileAtomic(berth.home() / "config" / "berth" / "registries.yaml",
                  "registries:\n  \"" + registry->host() + "\":\n    plain-http: true\n    chunk-size: 64KiB\n");
  // A state file naming an upload the registry does not know (as after a restart that purged it).
  oci::UploadStateStore store(state_dir);
  store.Save({registry->host(), "team/app", manifest.layers[0].digest, manifest.layers[0].size,
              registry->ready()["url"].get<std::string>() + "/v2/team/app/blobs/uploads/8b1f3c52-0000-4000-8000-000000000000?_state=x",
              131072, 0});
  ASSERT_TRUE(fs::exists(store.PathFor(registry->host(), "team/app", manifest.layers[0].digest)));
  auto result = berth.Run({"-o", "json", "-v", "push", "oci:img:v1", registry->host() + "/team/app:1"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  auto data = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(data["digest"], image.digest.str());
  EXPECT_EQ(data["resumed"]["blobs"], 0);
  EXPECT_NE(result.stderr_data.find("cannot resume the upload of " + oci::ShortDigest(manifest.layers[0].digest)), std::string::npos)
      << result.stderr_data;
  EXPECT_TRUE(fs::is_empty(state_dir));
}

}  // namespace
}  // namespace berth::testing
