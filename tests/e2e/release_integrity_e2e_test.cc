// The release record never lies: a release checks everything it can before
// its first byte moves, and moves its tags only after the image is pushed by
// digest and signed. Each test injects one failure (a key that does not
// unlock, a registry that refuses pushes, a tag taken with another digest, a
// signature store that is down after the push) against two real
// docker-registry instances (one plain, one with token auth), then asserts
// the tags on every registry, the ledger and the journal a rerun continues
// from.
#include <gtest/gtest.h>

#include <algorithm>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class ReleaseIntegrityE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    berth_.SetEnv("SOURCE_DATE_EPOCH", "1700000000");
    berth_.SetEnv("COSIGN_PASSWORD", "integrity-test-password");
    a_ = StartRegistry("plain");
    b_ = StartRegistry("token");
    CreateDirectories(berth_.work_dir() / "site");
    WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>integrity</h1>\n");
    WriteFileAtomic(berth_.work_dir() / "berth.yaml",
                    "service: hello\n"
                    "image: " + a_->host() + "/team/hello\n"
                    "build:\n  context: site\n  builder: berth\n  base: scratch\n  dest: /srv/www\n"
                    "tags: [\"{version}\", \"sha-{git.short}\"]\n"
                    "registries:\n"
                    "  - repository: " + a_->host() + "/team/hello\n"
                    "  - repository: " + b_->host() + "/mirror/hello\n"
                    "signing:\n  signer: cosign\n  key: cosign.key\n  public_key: cosign.pub\n");
    ProcessResult keygen = berth_.Run({"keygen"});
    ASSERT_EQ(keygen.exit_code, 0) << Describe(keygen);
    WriteFileAtomic(berth_.work_dir() / ".gitignore", "cosign.key\n");
    berth_.Git({"init", "-q"});
    berth_.Git({"add", "-A"});
    berth_.Git({"commit", "-q", "-m", "first"});
    berth_.TrustProjects();  // berth.yaml names the signing key.
    Login("alice");
  }

  void Login(const std::string& user) {
    ProcessResult login = berth_.Run({"login", b_->host(), "-u", user, "--password-stdin", "--plain-http", b_->host()},
                                     b_->ready()["users"][user].get<std::string>());
    ASSERT_EQ(login.exit_code, 0) << Describe(login);
  }

  std::vector<std::string> Release(const std::string& version) {
    return {"release", version, "--plain-http", a_->host(), "--plain-http", b_->host()};
  }

  // The repository's tags; nullopt when the registry has no such repository
  // (nothing was ever pushed to it).
  std::optional<std::vector<std::string>> Tags(const TestPeer& registry, const std::string& path) {
    ProcessResult listed = berth_.Run({"tags", registry.host() + path, "--plain-http", registry.host(), "-o", "json"});
    if (listed.exit_code != 0) return std::nullopt;
    auto tags = json::parse(listed.stdout_data).get<std::vector<std::string>>();
    std::sort(tags.begin(), tags.end());
    return tags;
  }

  static int CountErrorLines(const std::string& text) {
    int count = text.rfind("error: ", 0) == 0 ? 1 : 0;
    for (size_t at = text.find("\nerror: "); at != std::string::npos; at = text.find("\nerror: ", at + 1)) ++count;
    return count;
  }

  void ExpectNothingMoved(const ProcessResult& result) {
    EXPECT_EQ(result.stderr_data.find("release: pushing"), std::string::npos) << result.stderr_data;
    EXPECT_EQ(Tags(*a_, "/team/hello"), std::nullopt);
    EXPECT_EQ(Tags(*b_, "/mirror/hello"), std::nullopt);
    EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));
    EXPECT_FALSE(fs::exists(berth_.work_dir() / ".berth" / "release"));
  }

  // A staging environment on the test-target fixture (deployments kept in a
  // file: what it runs is the last entry), where 1.1.0 never becomes healthy.
  void AddStaging(bool failing_rollbacks) {
    berth_.SetEnv("BERTH_PLUGIN_PATH", std::string(BERTH_FIXTURE_PLUGIN_DIR) + "/test-target");
    std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml") +
                       "environments:\n  staging:\n    target:\n      plugin: test-target\n      state: " + state().string() +
                       "\n      unhealthy_versions: [\"1.1.0\"]\n" + (failing_rollbacks ? "      failing_rollbacks: true\n" : "") +
                       "    health:\n      path: /healthz\n";
    WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml);
    Commit("staging");
  }
  void Commit(const std::string& message) {
    berth_.Git({"add", "-A"});
    berth_.Git({"commit", "-q", "-m", message});
  }
  fs::path state() { return berth_.home() / "staging-state.json"; }
  json Running() { return json::parse(ReadFile(state()))["history"].back(); }
  std::vector<std::string> Results(const json& release) {
    std::vector<std::string> results;
    for (const auto& deployment : release["deployments"]) results.push_back(deployment["result"]);
    return results;
  }
  // 1.0.0 live and healthy in staging, then 1.1.0 released with --auto-rollback.
  ProcessResult ReleaseABrokenVersion(json& first) {
    std::vector<std::string> args = Release("1.0.0");
    args.insert(args.end(), {"--env", "staging"});
    first = berth_.Json(args);
    EXPECT_EQ(Results(first), std::vector<std::string>{"healthy"});
    WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>integrity 1.1.0 (broken)</h1>\n");
    Commit("1.1.0");
    args = Release("1.1.0");
    args.insert(args.end(), {"--env", "staging", "--auto-rollback"});
    return berth_.Run(args);
  }
  // Both releases are on both registries under every tag (a failed deploy
  // does not unrelease an image), and nothing else is.
  void ExpectBothReleasesTagged() {
    json ledger = json::parse(ReadFile(berth_.work_dir() / "releases.json"));
    ASSERT_EQ(ledger["releases"].size(), 2u);
    for (const auto& [registry, path] : {std::pair{a_.get(), "/team/hello"}, std::pair{b_.get(), "/mirror/hello"}}) {
      std::vector<std::string> expected;
      for (const auto& release : ledger["releases"]) {
        const std::string digest = release["digest"];
        expected.insert(expected.end(), {release["version"].get<std::string>(), "sha-" + release["git"]["sha"].get<std::string>().substr(0, 7),
                                         "sha256-" + digest.substr(7) + ".sig"});
        EXPECT_EQ(berth_.Json({"digest", registry->host() + path + ":" + release["version"].get<std::string>(), "--plain-http",
                               registry->host()})["digest"],
                  digest);
      }
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(Tags(*registry, path), expected) << registry->host();
    }
  }

  BerthRunner berth_;
  std::unique_ptr<TestPeer> a_, b_;
};

TEST_F(ReleaseIntegrityE2eTest, AKeyThatDoesNotUnlockStopsTheReleaseBeforeAnythingMoves) {
  berth_.SetEnv("COSIGN_PASSWORD", "not the password");
  ProcessResult locked = berth_.Run(Release("1.0.0"));
  EXPECT_EQ(locked.exit_code, 7) << Describe(locked);
  EXPECT_NE(locked.stderr_data.find("error: signing key " + (berth_.work_dir() / "cosign.key").string() + " for cosign: "),
            std::string::npos)
      << locked.stderr_data;
  EXPECT_NE(locked.stderr_data.find("wrong password"), std::string::npos) << locked.stderr_data;
  EXPECT_EQ(locked.stderr_data.find("release: building"), std::string::npos) << locked.stderr_data;
  ExpectNothingMoved(locked);

  // With the right password the same release goes through, signed everywhere.
  berth_.SetEnv("COSIGN_PASSWORD", "integrity-test-password");
  json released = berth_.Json(Release("1.0.0"));
  EXPECT_EQ(released["signatures"].size(), 2u) << released.dump();
  json verified = berth_.Json({"verify", b_->host() + "/mirror/hello:1.0.0", "--key", "cosign.pub", "--plain-http", b_->host()});
  EXPECT_EQ(verified["verified"], true);
}

TEST_F(ReleaseIntegrityE2eTest, ARegistryThatRefusesPushesStopsTheReleaseBeforeAnythingMoves) {
  Login("reader");  // Pull only on the token registry.
  ProcessResult refused = berth_.Run(Release("1.0.0"));
  EXPECT_EQ(refused.exit_code, 7) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find(b_->host() + "/mirror/hello"), std::string::npos) << refused.stderr_data;
  EXPECT_NE(refused.stderr_data.find("; nothing was built or pushed\n"), std::string::npos) << refused.stderr_data;
  EXPECT_EQ(CountErrorLines(refused.stderr_data), 1) << refused.stderr_data;
  ExpectNothingMoved(refused);
}

TEST_F(ReleaseIntegrityE2eTest, ATagTakenWithAnotherDigestOnOneRegistryStopsTheReleaseBeforeAnyPush) {
  // Another image under b's 1.0.0.
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>someone else's</h1>\n");
  ASSERT_EQ(berth_.Run({"build", "--layout", "oci:other:x"}).exit_code, 0);
  ProcessResult pushed = berth_.Run({"push", "oci:other:x", b_->host() + "/mirror/hello:1.0.0", "--plain-http", b_->host()});
  ASSERT_EQ(pushed.exit_code, 0) << Describe(pushed);
  fs::remove_all(berth_.work_dir() / "other");
  berth_.Git({"checkout", "-q", "--", "site/index.html"});

  ProcessResult refused = berth_.Run(Release("1.0.0"));
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("error: tag " + b_->host() + "/mirror/hello:1.0.0 already names sha256:"), std::string::npos)
      << refused.stderr_data;
  EXPECT_EQ(refused.stderr_data.find("release: pushing"), std::string::npos) << refused.stderr_data;
  EXPECT_EQ(Tags(*a_, "/team/hello"), std::nullopt);
  EXPECT_EQ(Tags(*b_, "/mirror/hello"), std::vector<std::string>{"1.0.0"});
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));
  EXPECT_FALSE(fs::exists(berth_.work_dir() / ".berth" / "release"));
}

TEST_F(ReleaseIntegrityE2eTest, AFailureAfterThePushMovesNoTagAndARerunContinues) {
  // The signature store is down: the image is pushed by digest, then signing fails.
  berth_.SetEnv("COSIGN_REPOSITORY", "127.0.0.1:1/signatures");
  WriteFileAtomic(berth_.home() / "config" / "berth" / "registries.yaml",
                  "registries:\n  \"127.0.0.1:1\":\n    plain-http: true\n    retries: 1\n    retry-backoff-ms: 20\n");
  ProcessResult failed = berth_.Run(Release("1.0.0"));
  EXPECT_NE(failed.exit_code, 0) << Describe(failed);
  EXPECT_NE(failed.stderr_data.find("; no tag was moved; run `berth release 1.0.0` again to continue\n"), std::string::npos)
      << failed.stderr_data;
  // docker-registry knows no tag list for a repository whose manifests have no tag.
  EXPECT_EQ(Tags(*a_, "/team/hello").value_or(std::vector<std::string>{}), std::vector<std::string>{});
  EXPECT_EQ(Tags(*b_, "/mirror/hello").value_or(std::vector<std::string>{}), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));
  fs::path journal_file = berth_.work_dir() / ".berth" / "release" / "1.0.0" / "journal.json";
  ASSERT_TRUE(fs::exists(journal_file));
  const std::string digest = json::parse(ReadFile(journal_file))["digest"];
  // The image is there by digest only.
  EXPECT_EQ(berth_.Json({"digest", a_->host() + "/team/hello@" + digest, "--plain-http", a_->host()})["digest"], digest);

  // Fixed, the rerun continues: no second build, the same digest, then the tags and the record.
  berth_.SetEnv("COSIGN_REPOSITORY", "");
  std::vector<std::string> rerun = Release("1.0.0");
  rerun.insert(rerun.end(), {"-o", "json"});
  ProcessResult resumed = berth_.Run(rerun);
  ASSERT_EQ(resumed.exit_code, 0) << Describe(resumed);
  EXPECT_NE(resumed.stderr_data.find("release: continuing the interrupted release of 1.0.0 (" + digest + ")"), std::string::npos)
      << resumed.stderr_data;
  EXPECT_EQ(resumed.stderr_data.find("release: building"), std::string::npos) << resumed.stderr_data;
  json record = json::parse(resumed.stdout_data);
  EXPECT_EQ(record["digest"], digest);
  EXPECT_EQ(record["signatures"].size(), 2u);
  const std::string sha_tag = "sha-" + record["git"]["sha"].get<std::string>().substr(0, 7);
  const std::string signature_tag = "sha256-" + digest.substr(7) + ".sig";  // cosign's, beside the image.
  EXPECT_EQ(Tags(*a_, "/team/hello"), (std::vector<std::string>{"1.0.0", sha_tag, signature_tag}));
  EXPECT_EQ(Tags(*b_, "/mirror/hello"), (std::vector<std::string>{"1.0.0", sha_tag, signature_tag}));
  EXPECT_EQ(berth_.Json({"digest", b_->host() + "/mirror/hello:1.0.0", "--plain-http", b_->host()})["digest"], digest);
  json verified = berth_.Json({"verify", a_->host() + "/team/hello:1.0.0", "--key", "cosign.pub", "--plain-http", a_->host()});
  EXPECT_EQ(verified["verified"], true);
  EXPECT_EQ(json::parse(ReadFile(berth_.work_dir() / "releases.json"))["releases"][0]["digest"], digest);
  EXPECT_FALSE(fs::exists(berth_.work_dir() / ".berth" / "release" / "1.0.0"));
}

TEST_F(ReleaseIntegrityE2eTest, AFailedHealthCheckRollsBackToWhatRanAndTheRecordSaysSo) {
  AddStaging(false);
  json first;
  ProcessResult failed = ReleaseABrokenVersion(first);
  EXPECT_EQ(failed.exit_code, 8) << Describe(failed);
  EXPECT_NE(failed.stderr_data.find("release: rolling back staging to 1.0.0"), std::string::npos) << failed.stderr_data;
  ExpectBothReleasesTagged();
  json ledger = json::parse(ReadFile(berth_.work_dir() / "releases.json"));
  EXPECT_EQ(Results(ledger["releases"][0]), (std::vector<std::string>{"healthy", "rollback"}));
  EXPECT_EQ(Results(ledger["releases"][1]), std::vector<std::string>{"unhealthy"});
  std::string markdown = ReadFile(berth_.work_dir() / "RELEASES.md");
  EXPECT_NE(markdown.find(ledger["releases"][1]["digest"].get<std::string>()), std::string::npos) << markdown;
  // What the target runs is 1.0.0 again, by digest.
  EXPECT_EQ(Running()["action"], "rollback") << ReadFile(state());
  EXPECT_EQ(Running()["image"], a_->host() + "/team/hello@" + first["digest"].get<std::string>());
}

TEST_F(ReleaseIntegrityE2eTest, AFailedRollbackIsRecordedAndTheRecordSaysWhatRuns) {
  AddStaging(true);
  json first;
  ProcessResult failed = ReleaseABrokenVersion(first);
  EXPECT_EQ(failed.exit_code, 8) << Describe(failed);
  EXPECT_NE(failed.stderr_data.find("rollback to 1.0.0 did not become healthy"), std::string::npos) << failed.stderr_data;
  EXPECT_NE(failed.stderr_data.find("refused (failing_rollbacks)"), std::string::npos) << failed.stderr_data;
  ExpectBothReleasesTagged();
  json ledger = json::parse(ReadFile(berth_.work_dir() / "releases.json"));
  // The refused rollback is recorded as failed, not as 1.0.0 running again.
  EXPECT_EQ(Results(ledger["releases"][0]), (std::vector<std::string>{"healthy", "failed"}));
  EXPECT_EQ(Results(ledger["releases"][1]), std::vector<std::string>{"unhealthy"});
  // The target still runs the broken 1.1.0, and status says so.
  EXPECT_EQ(Running()["version"], "1.1.0");
  json status = berth_.Json({"status", "staging"});
  EXPECT_EQ(status["version"], "1.1.0") << status.dump();
}

}  // namespace
}  // namespace berth::testing
