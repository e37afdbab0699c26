// berth release pushes to every registry of berth.yaml in one fan-out, and
// asks each of them first: with one registry stopped, the release stops
// before the build, naming it, and the live ones receive nothing; with it
// back, every registry gets every tag.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

TEST(ReleaseFanOutE2eTest, AStoppedRegistryStopsTheReleaseBeforeAnythingMoves) {
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
  // Every registry is asked before the build, so the stopped one stops the
  // release while nothing has moved anywhere.
  EXPECT_NE(result.stderr_data.find("error: release 1.0.0: release " + dead + "/team/hello: "), std::string::npos) << result.stderr_data;
  EXPECT_NE(result.stderr_data.find("; nothing was built or pushed\n"), std::string::npos) << result.stderr_data;
  EXPECT_EQ(result.stderr_data.find("release: building"), std::string::npos) << result.stderr_data;
  EXPECT_FALSE(fs::exists(berth.work_dir() / "releases.json"));
  for (const auto& [registry, repository] : {std::pair{a.get(), "/team/hello"}, std::pair{b.get(), "/mirror/hello"}}) {
    auto tags = berth.Run({"tags", registry->host() + repository, "--plain-http", registry->host(), "-o", "json"});
    EXPECT_NE(tags.exit_code, 0) << "nothing was pushed, so the repository does not exist: " << Describe(tags);
  }

  // With the registry back, the same release pushes to all three.
  auto back = StartRegistry("plain");
  WriteFileAtomic(berth.work_dir() / "berth.yaml",
                  ReadFile(berth.work_dir() / "berth.yaml").replace(ReadFile(berth.work_dir() / "berth.yaml").find(dead), dead.size(), back->host()));
  auto released = berth.Json({"release", "1.0.0", "--plain-http", a->host(), "--plain-http", b->host(), "--plain-http", back->host()});
  std::string digest = released["digest"];
  for (const std::string& image : {a->host() + "/team/hello:1.0.0", a->host() + "/team/hello:stable-1.0.0",
                                   b->host() + "/mirror/hello:1.0.0", back->host() + "/team/hello:stable-1.0.0"}) {
    auto seen = berth.Json({"digest", image, "--plain-http", image.substr(0, image.find('/'))});
    EXPECT_EQ(seen["digest"], digest) << image;
  }
}

}  // namespace
}  // namespace berth::testing
