// berth build and berth release as a user runs them: berth's own builder,
// pushes to two real docker-registry instances (one plain, one with token
// auth), the ledger they leave, and
// the refusals (dirty git tree, bad version, --dry-run changing nothing).
#include <gtest/gtest.h>

#include "berth/fs.h"
#include "berth/process.h"
#include "berth_runner.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class ReleaseE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    berth_.SetEnv("SOURCE_DATE_EPOCH", "1700000000");
    fs::path site = berth_.work_dir() / "site";
    CreateDirectories(site);
    WriteFileAtomic(site / "index.html", "<h1>hello</h1>\n");
    WriteFileAtomic(site / "serve.sh", "#!/bin/sh\nexec busybox httpd -f -p 8080 -h /srv/www\n", 0755);
  }

  void WriteProject(const std::string& host_a, const std::string& host_b) {
    WriteFileAtomic(berth_.work_dir() / "berth.yaml",
                    "service: hello\n"
                    "image: " + host_a + "/team/hello\n"
                    "build:\n"
                    "  context: site\n"
                    "  builder: berth\n"
                    "  base: scratch\n"
                    "  dest: /srv/www\n"
                    "  entrypoint: [/srv/www/serve.sh]\n"
                    "  ports: [8080]\n"
                    "tags: [\"{version}\", \"sha-{git.short}\"]\n"
                    "registries:\n"
                    "  - repository: " + host_a + "/team/hello\n"
                    "  - repository: " + host_b + "/mirror/hello\n");
  }

  std::vector<std::string> Release(const std::string& version, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"release", version, "--plain-http", a_->host(), "--plain-http", b_->host()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // The second registry wants a token (docker-registry's token auth with the
  // peer's token server); alice logs in once, through stdin.
  void StartRegistries() {
    a_ = StartRegistry("plain");
    b_ = StartRegistry("token");
    WriteProject(a_->host(), b_->host());
    ProcessResult login = berth_.Run({"login", b_->host(), "-u", "alice", "--password-stdin", "--plain-http", b_->host()},
                                     b_->ready()["users"]["alice"].get<std::string>());
    ASSERT_EQ(login.exit_code, 0) << login.stderr_data;
  }

  BerthRunner berth_;
  std::unique_ptr<TestPeer> a_, b_;
};

TEST_F(ReleaseE2eTest, BuildIsReproducibleAndPushable) {
  StartRegistries();
  json first = berth_.Json({"build", "--layout", "oci:out1:hello"});
  json second = berth_.Json({"build", "--layout", "oci:out2:hello"});
  EXPECT_EQ(first["builder"], "berth");
  EXPECT_EQ(first["digest"], second["digest"]);
  // skopeo, a real client, reads the layout.
  ProcessResult skopeo = RunProcess({"skopeo", "inspect", "oci:" + (berth_.work_dir() / "out1").string() + ":hello"});
  ASSERT_EQ(skopeo.exit_code, 0) << skopeo.stderr_data;
  EXPECT_EQ(json::parse(skopeo.stdout_data)["Digest"], first["digest"]);
  json pushed = berth_.Json({"push", "oci:out1:hello", a_->host() + "/team/hello:built", "--plain-http", a_->host()});
  EXPECT_EQ(pushed["digest"], first["digest"]);
}

TEST_F(ReleaseE2eTest, ReleasesToEveryRegistryAndRecordsTheLedger) {
  StartRegistries();
  json record = berth_.Json(Release("1.0.0"));
  const std::string digest = record["digest"];
  EXPECT_EQ(record["version"], "1.0.0");
  EXPECT_EQ(record["git"]["sha"], "unknown");  // Not a git work tree.
  EXPECT_EQ(record["images"], json::array({a_->host() + "/team/hello:1.0.0", a_->host() + "/team/hello:sha-unknown",
                                           b_->host() + "/mirror/hello:1.0.0", b_->host() + "/mirror/hello:sha-unknown"}));
  ASSERT_EQ(record["pushes"].size(), 4u);
  EXPECT_EQ(record["pushes"][0]["blobs"]["uploaded"], 2);  // Layer and config.
  EXPECT_EQ(record["pushes"][1]["blobs"]["uploaded"], 0);  // Another tag: nothing to upload.
  EXPECT_EQ(record["pushes"][2]["blobs"]["uploaded"], 2);
  for (const auto& image : record["images"]) {
    std::string host = image.get<std::string>().substr(0, image.get<std::string>().find('/'));
    json seen = berth_.Json({"digest", image.get<std::string>(), "--plain-http", host});
    EXPECT_EQ(seen["digest"], digest) << image;
  }
  json ledger = json::parse(ReadFile(berth_.work_dir() / "releases.json"));
  ASSERT_EQ(ledger["releases"].size(), 1u);
  EXPECT_EQ(ledger["service"], "hello");
  EXPECT_EQ(ledger["releases"][0]["digest"], digest);
  EXPECT_EQ(ledger["releases"][0]["images"], record["images"]);
  EXPECT_NE(ReadFile(berth_.work_dir() / "RELEASES.md").find("1.0.0"), std::string::npos);

  // Same files: the same digest, and every blob is already there.
  json again = berth_.Json(Release("1.0.1"));
  EXPECT_EQ(again["digest"], digest);
  for (const auto& push : again["pushes"]) EXPECT_EQ(push["blobs"]["uploaded"], 0) << push.dump();

  // One file changed: only its layer and the new config go up.
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>hello again</h1>\n");
  json changed = berth_.Json(Release("1.1.0"));
  EXPECT_NE(changed["digest"], digest);
  EXPECT_EQ(changed["pushes"][0]["blobs"]["uploaded"], 2);
  EXPECT_EQ(json::parse(ReadFile(berth_.work_dir() / "releases.json"))["releases"].size(), 3u);

  // A version is released once.
  ProcessResult twice = berth_.Run(Release("1.1.0"));
  EXPECT_EQ(twice.exit_code, 3);
  EXPECT_NE(twice.stderr_data.find("version 1.1.0 is already in releases.json; releases are immutable"), std::string::npos) << twice.stderr_data;
}

TEST_F(ReleaseE2eTest, DryRunChangesNothing) {
  StartRegistries();
  json plan = berth_.Json(Release("2.0.0", {"--dry-run"}));
  EXPECT_EQ(plan["dry_run"], true);
  EXPECT_EQ(plan["builder"], "berth");
  EXPECT_EQ(plan["tags"], json::array({"2.0.0", "sha-unknown"}));
  EXPECT_EQ(plan["destinations"].size(), 4u);
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "RELEASES.md"));
  ProcessResult tags = berth_.Run({"tags", a_->host() + "/team/hello", "--plain-http", a_->host()});
  EXPECT_NE(tags.exit_code, 0);  // The repository does not exist.
}

TEST_F(ReleaseE2eTest, DirtyGitTreeIsRefusedUnlessAllowed) {
  StartRegistries();
  berth_.Git({"init", "-q"});
  berth_.Git({"add", "."});
  berth_.Git({"commit", "-q", "-m", "first"});
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>uncommitted</h1>\n");
  ProcessResult refused = berth_.Run(Release("1.0.0"));
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.stderr_data.find("the git tree has 1 uncommitted change(s) ( M site/index.html); commit them or pass --allow-dirty"),
            std::string::npos)
      << refused.stderr_data;
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));

  json record = berth_.Json(Release("1.0.0", {"--allow-dirty"}));
  EXPECT_EQ(record["git"]["dirty"], true);
  EXPECT_EQ(record["git"]["sha"].get<std::string>().size(), 40u);
  EXPECT_EQ(record["images"][1], a_->host() + "/team/hello:sha-" + record["git"]["sha"].get<std::string>().substr(0, 12));
}

TEST_F(ReleaseE2eTest, ImmutableTagsAreNotMoved) {
  StartRegistries();
  std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml + "environments:\n  prod:\n    target:\n      plugin: k8s\n    immutable_tags: true\n");
  json first = berth_.Json(Release("1.0.0"));
  // New content would move sha-unknown (the tree has no git sha) to another digest.
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>changed</h1>\n");
  ProcessResult refused = berth_.Run(Release("1.0.1", {"--env", "prod"}));
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.stderr_data.find("tag " + a_->host() + "/team/hello:sha-unknown already exists with " + first["digest"].get<std::string>() +
                                     " and environment prod has immutable_tags"),
            std::string::npos)
      << refused.stderr_data;
  ProcessResult tags = berth_.Run({"tags", a_->host() + "/team/hello", "--plain-http", a_->host(), "-o", "json"});
  EXPECT_EQ(json::parse(tags.stdout_data), json::array({"1.0.0", "sha-unknown"}));
  EXPECT_EQ(json::parse(ReadFile(berth_.work_dir() / "releases.json"))["releases"].size(), 1u);
}

// The deploy step through a target plugin: tests/plugin_fixtures/test_target.cc
// keeps deployments in a file and fails the versions it is told to.
TEST_F(ReleaseE2eTest, DeploysAndRollsBackToThePreviousHealthyRelease) {
  StartRegistries();
  berth_.SetEnv("BERTH_PLUGIN_PATH", std::string(BERTH_FIXTURE_PLUGIN_DIR) + "/test-target");
  fs::path state = berth_.work_dir() / ".berth" / "deploys.json";
  std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml + "environments:\n  staging:\n    target:\n      plugin: test-target\n      state: " +
                                                        state.string() + "\n      unhealthy_versions: [\"1.1.0\", \"1.2.0\"]\n"
                                                        "    health:\n      path: /healthz\n");
  json first = berth_.Json(Release("1.0.0", {"--env", "staging"}));
  ASSERT_EQ(first["deployments"].size(), 1u);
  EXPECT_EQ(first["deployments"][0]["environment"], "staging");
  EXPECT_EQ(first["deployments"][0]["result"], "healthy");
  const std::string good_image = a_->host() + "/team/hello@" + first["digest"].get<std::string>();

  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>broken</h1>\n");
  ProcessResult failed = berth_.Run(Release("1.1.0", {"--env", "staging", "--auto-rollback", "-o", "json"}));
  EXPECT_EQ(failed.exit_code, 8) << failed.stderr_data;
  EXPECT_NE(failed.stderr_data.find("release: rolling back staging to 1.0.0"), std::string::npos) << failed.stderr_data;
  json deploys = json::parse(ReadFile(state))["history"];
  ASSERT_EQ(deploys.size(), 3u);
  EXPECT_EQ(deploys[1]["version"], "1.1.0");
  EXPECT_EQ(deploys[2]["action"], "rollback");
  EXPECT_EQ(deploys[2]["image"], good_image);
  json ledger = json::parse(ReadFile(berth_.work_dir() / "releases.json"));
  ASSERT_EQ(ledger["releases"].size(), 2u);
  EXPECT_EQ(ledger["releases"][1]["deployments"][0]["result"], "unhealthy");
  EXPECT_EQ(ledger["releases"][0]["deployments"].back()["result"], "rollback");

  // Without --auto-rollback berth says how.
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>broken again</h1>\n");
  ProcessResult told = berth_.Run(Release("1.2.0", {"--env", "staging"}));
  EXPECT_EQ(told.exit_code, 8);
  EXPECT_NE(told.stderr_data.find("1.2.0 failed in staging (unhealthy); roll back with: berth rollback staging --to 1.0.0"), std::string::npos)
      << told.stderr_data;
  EXPECT_EQ(json::parse(ReadFile(state))["history"].size(), 4u);
}

TEST_F(ReleaseE2eTest, RefusesANonSemanticVersion) {
  WriteProject("127.0.0.1:1", "127.0.0.1:2");
  ProcessResult result = berth_.Run({"release", "1.0"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.stderr_data.find("version '1.0' is not semantic (MAJOR.MINOR.PATCH, e.g. 1.4.2 or 2.0.0-rc.1)"), std::string::npos)
      << result.stderr_data;
}

}  // namespace
}  // namespace berth::testing
