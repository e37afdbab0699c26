// berth release pushes to every registry of berth.yaml in one fan-out: with
// one registry stopped, the live ones get the image (every tag), the dead one
// is reported on its own line, and nothing is recorded in the ledger.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

TEST(ReleaseFanOutE2eTest, AStoppedRegistryIsReportedAndTheOthersGetEveryTag) {
  BerthRunner berth;
  berth.SetEnv("SOURCE_DATE_EPOCH", "1700000000");
  fs::path site = berth.work_dir() / "site";
  CreateDirectories(site);
  WriteFileAtomic(site / "index.html", "<h1>fan-out</h1>\n");
  auto a = StartRegistry("plain");
  auto b = StartRegistry("plain");
  std::string dead;
  {
    auto stopped = StartRegistry("plain");
    dead = stopped->host();
  }
  WriteFileAtomic(berth.work_dir() / "berth.yaml",
                  "service: hello\n"
                  "image: " + a->host() + "/team/hello\n"
                  "build:\n  context: site\n  builder: berth\n  base: scratch\n  dest: /srv/www\n"
                  "tags: [\"{version}\", \"stable-{version}\"]\n"
                  "registries:\n"
                  "  - repository: " + a->host() + "/team/hello\n"
                  "  - repository: " + dead + "/team/hello\n"
                  "  - repository: " + b->host() + "/mirror/hello\n");
  WriteFileAtomic(berth.home() / "config" / "berth" / "registries.yaml",
                  "registries:\n  \"" + dead + "\":\n    retries: 1\n    retry-backoff-ms: 20\n");
  auto result = berth.Run({"release", "1.0.0", "--plain-http", a->host(), "--plain-http", b->host(), "--plain-http", dead});
  EXPECT_EQ(result.exit_code, 1) << Describe(result);
  EXPECT_NE(result.stderr_data.find("\nerror: release " + dead + "/team/hello: "), std::string::npos) << result.stderr_data;
  EXPECT_NE(result.stderr_data.find("error: release 1.0.0: 1 of 3 registries failed (the others hold the image); nothing recorded\n"),
            std::string::npos)
      << result.stderr_data;
  EXPECT_FALSE(fs::exists(berth.work_dir() / "releases.json"));
  std::string digest;
  for (const std::string& image : {a->host() + "/team/hello:1.0.0", a->host() + "/team/hello:stable-1.0.0",
                                   b->host() + "/mirror/hello:1.0.0", b->host() + "/mirror/hello:stable-1.0.0"}) {
    auto seen = berth.Json({"digest", image, "--plain-http", image.substr(0, image.find('/'))});
    if (digest.empty()) digest = seen["digest"];
    EXPECT_EQ(seen["digest"], digest) << image;
  }
}

}  // namespace
}  // namespace berth::testing
