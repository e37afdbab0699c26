#include "core/release/ledger.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace {

LedgerRelease Release(const std::string& version, const std::string& digest_char) {
  LedgerRelease release;
  release.version = version;
  release.git_sha = "0123456789abcdef0123456789abcdef01234567";
  release.created_at = "2026-11-23T10:00:0" + version.substr(version.size() - 1) + "Z";
  release.digest = "sha256:" + std::string(64, digest_char[0]);
  release.images = {"127.0.0.1:5000/shop/api:v" + version, "127.0.0.1:5000/shop/api:sha-0123456"};
  return release;
}

LedgerDeployment Deployed(const std::string& environment, const std::string& at, DeploymentState outcome, const std::string& revision,
                          DeploymentKind kind = DeploymentKind::kDeploy, const std::string& from = "") {
  LedgerDeployment deployment;
  deployment.environment = environment;
  deployment.at = at;
  deployment.by = "ci";
  deployment.kind = kind;
  deployment.state = outcome;
  deployment.outcome = outcome;
  deployment.from = from;
  deployment.revision = revision;
  return deployment;
}

std::vector<std::string> States(const Ledger& ledger, const std::string& environment) {
  std::vector<std::string> out;
  for (const auto& ref : ledger.History(environment)) {
    out.push_back(ref.release->version + " " + std::string(DeploymentKindName(ref.deployment->kind)) + " " +
                  std::string(DeploymentStateName(ref.deployment->state)));
  }
  return out;
}

TEST(LedgerTest, RecordsReleasesAndDeploymentsAndPicksRollbackTargets) {
  Ledger ledger;
  ledger.set_service("shop-api");
  ledger.Add(Release("1.0.1", "a"));
  ledger.Add(Release("1.0.2", "b"));
  EXPECT_THROW(ledger.Add(Release("1.0.2", "c")), Error);
  EXPECT_EQ(ledger.Find("1.0.1")->ImageByDigest(), "127.0.0.1:5000/shop/api@sha256:" + std::string(64, 'a'));

  ledger.RecordDeployment("1.0.1", Deployed("staging", "2026-11-23T11:00:00Z", DeploymentState::kHealthy, "1"));
  ledger.RecordDeployment("1.0.2", Deployed("staging", "2026-11-23T12:00:00Z", DeploymentState::kUnhealthy, "2"));
  EXPECT_THROW(ledger.RecordDeployment("9.9.9", {}), Error);
  EXPECT_EQ(ledger.Current("staging")->version, "1.0.2");
  EXPECT_EQ(ledger.PreviousLive("staging").release->version, "1.0.1");
  EXPECT_FALSE(ledger.PreviousLive("prod"));

  TempDir dir;
  ledger.Save(dir.path() / "releases.json", dir.path() / "RELEASES.md");
  Ledger loaded = Ledger::Load(dir.path() / "releases.json");
  EXPECT_EQ(loaded.ToJson(), ledger.ToJson());
  std::string markdown = ReadFile(dir.path() / "RELEASES.md");
  EXPECT_LT(markdown.find("## 1.0.2"), markdown.find("## 1.0.1")) << "newest first";
  EXPECT_NE(markdown.find("staging at 2026-11-23T12:00:00Z by ci: unhealthy, revision 2"), std::string::npos) << markdown;
}

// `v1.0.1` and `1.0.1` are one release, whichever spelling the ledger holds.
TEST(LedgerTest, ALeadingVNamesTheSameRelease) {
  Ledger ledger;
  ledger.Add(Release("1.0.1", "a"));
  ledger.Add(Release("v1.0.2", "b"));  // An older ledger's spelling.
  EXPECT_EQ(ledger.Find("v1.0.1"), ledger.Find("1.0.1"));
  ASSERT_NE(ledger.Find("1.0.2"), nullptr);
  EXPECT_EQ(ledger.Find("1.0.2")->version, "v1.0.2");
  EXPECT_THROW(ledger.Add(Release("v1.0.1", "c")), Error);
  EXPECT_THROW(ledger.Add(Release("1.0.2", "c")), Error);
  EXPECT_EQ(ledger.Find("vv1.0.1"), nullptr);
  EXPECT_NO_THROW(ledger.RecordDeployment("v1.0.1", Deployed("staging", "2026-11-23T11:00:00Z", DeploymentState::kHealthy, "1")));
}

// One deployment is live per environment: a new one supersedes it, a
// rollback marks the one it undoes rolled-back, a failure changes nothing.
TEST(LedgerTest, DeploymentStatesFollowWhatRunsInTheEnvironment) {
  Ledger ledger;
  for (const char* version : {"1.0.0", "1.0.1", "1.0.2", "1.0.3"}) ledger.Add(Release(version, std::string(1, version[4])));
  const std::string t = "2026-11-23T11:00:00Z";  // All in one second: the recording order decides.
  ledger.RecordDeployment("1.0.0", Deployed("staging", t, DeploymentState::kHealthy, "1"));
  ledger.RecordDeployment("1.0.0", Deployed("prod", t, DeploymentState::kHealthy, "1"));
  ledger.RecordDeployment("1.0.1", Deployed("staging", t, DeploymentState::kHealthy, "2"));
  ledger.RecordDeployment("1.0.2", Deployed("staging", t, DeploymentState::kHealthy, "3"));
  EXPECT_EQ(States(ledger, "staging"),
            (std::vector<std::string>{"1.0.2 deploy healthy", "1.0.1 deploy superseded", "1.0.0 deploy superseded"}));
  EXPECT_EQ(States(ledger, "prod"), (std::vector<std::string>{"1.0.0 deploy healthy"}));

  ledger.RecordDeployment("1.0.0", Deployed("staging", t, DeploymentState::kHealthy, "4", DeploymentKind::kRollback, "1.0.2"));
  EXPECT_EQ(States(ledger, "staging")[0], "1.0.0 rollback healthy");
  EXPECT_EQ(States(ledger, "staging")[1], "1.0.2 deploy rolled-back");

  // A failed deploy leaves what was live running; what ran before it is
  // the rollback to 1.0.0, not the newest healthy release (1.0.2).
  ledger.RecordDeployment("1.0.3", Deployed("staging", t, DeploymentState::kFailed, ""));
  EXPECT_EQ(States(ledger, "staging")[0], "1.0.3 deploy failed");
  EXPECT_EQ(States(ledger, "staging")[1], "1.0.0 rollback healthy");
  DeploymentRef previous = ledger.PreviousLive("staging");
  ASSERT_TRUE(previous);
  EXPECT_EQ(previous.release->version, "1.0.0");
  EXPECT_EQ(previous.deployment->kind, DeploymentKind::kRollback);

  // Rolling back from the failed deploy undoes it and supersedes the rollback before it.
  ledger.RecordDeployment("1.0.0", Deployed("staging", t, DeploymentState::kHealthy, "6", DeploymentKind::kRollback, "1.0.3"));
  EXPECT_EQ(States(ledger, "staging"),
            (std::vector<std::string>{"1.0.0 rollback healthy", "1.0.3 deploy rolled-back", "1.0.0 rollback superseded",
                                      "1.0.2 deploy rolled-back", "1.0.1 deploy superseded", "1.0.0 deploy superseded"}));
  // An unhealthy one is skipped when choosing where to roll back to.
  ledger.RecordDeployment("1.0.3", Deployed("staging", t, DeploymentState::kUnhealthy, "7"));
  ledger.RecordDeployment("1.0.3", Deployed("staging", t, DeploymentState::kHealthy, "8"));
  EXPECT_EQ(ledger.PreviousLive("staging").deployment->revision, "6");
  EXPECT_EQ(ledger.NewestHealthy("staging", "1.0.2").deployment->revision, "3");
  EXPECT_FALSE(ledger.NewestHealthy("prod", "1.0.2"));

  // The states, kinds and specification survive a save.
  TempDir dir;
  ledger.Save(dir.path() / "releases.json", dir.path() / "RELEASES.md");
  EXPECT_EQ(Ledger::Load(dir.path() / "releases.json").ToJson(), ledger.ToJson());
  nlohmann::json saved = ledger.ToJson()["releases"][0]["deployments"][2];
  EXPECT_EQ(saved["kind"], "rollback");
  EXPECT_EQ(saved["state"], "superseded");
  EXPECT_EQ(saved["result"], "rollback");  // As ledgers before `state` said it.
  EXPECT_EQ(saved["from"], "1.0.2");
  EXPECT_NE(ReadFile(dir.path() / "RELEASES.md").find("staging at " + t + " by ci: superseded (rollback from 1.0.3), revision 6"),
            std::string::npos);
}

// Ledgers written before states load: their `result` says how each came up.
TEST(LedgerTest, OldResultsLoadAsKindsAndStates) {
  TempDir dir;
  nlohmann::json old = nlohmann::json::parse(R"({"schema": 1, "service": "shop", "releases": [
    {"version": "1.0.0", "digest": "sha256:aa", "images": ["r/shop:1.0.0"], "deployments": [
      {"environment": "staging", "at": "2026-11-23T11:00:00Z", "by": "ci", "result": "healthy", "revision": "1", "url": ""},
      {"environment": "staging", "at": "2026-11-23T13:00:00Z", "by": "ci", "result": "rollback", "revision": "3", "url": ""}]},
    {"version": "1.0.1", "digest": "sha256:bb", "images": ["r/shop:1.0.1"], "deployments": [
      {"environment": "staging", "at": "2026-11-23T12:00:00Z", "by": "ci", "result": "failed", "revision": "", "url": ""}]}]})");
  WriteFileAtomic(dir.path() / "releases.json", old.dump());
  Ledger ledger = Ledger::Load(dir.path() / "releases.json");
  const LedgerDeployment& rollback = ledger.Find("1.0.0")->deployments[1];
  EXPECT_EQ(rollback.kind, DeploymentKind::kRollback);
  EXPECT_EQ(rollback.state, DeploymentState::kHealthy);
  EXPECT_TRUE(rollback.spec.is_null());
  EXPECT_EQ(ledger.Find("1.0.1")->deployments[0].state, DeploymentState::kFailed);
  EXPECT_EQ(ledger.Latest("staging").deployment, &rollback);
  EXPECT_EQ(ledger.FindByDigest("sha256:bb")->version, "1.0.1");

  old["releases"][1]["deployments"][0]["result"] = "exploded";
  WriteFileAtomic(dir.path() / "releases.json", old.dump());
  try {
    Ledger::Load(dir.path() / "releases.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir.path() / "releases.json").string() +
                                         ": releases[1].deployments[0]: unknown result 'exploded' (expected healthy, unhealthy, "
                                         "failed, rolled-back or rollback)");
  }
}

TEST(LedgerTest, MalformedFilesAreNamed) {
  TempDir dir;
  EXPECT_TRUE(Ledger::Load(dir.path() / "missing.json").releases().empty());
  WriteFileAtomic(dir.path() / "releases.json", "{\"schema\": 1, \"releases\": [{}]}");
  try {
    Ledger::Load(dir.path() / "releases.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir.path() / "releases.json").string() + ": releases[0] has no version");
  }
  WriteFileAtomic(dir.path() / "releases.json", "{\"releases\": []}");
  EXPECT_THROW(Ledger::Load(dir.path() / "releases.json"), Error);
}

TEST(LedgerTest, AnEnvironmentWithItsOwnRegistryDeploysFromThereOnlyOncePromoted) {
  Ledger ledger;
  ledger.Add(Release("1.0.1", "a"));
  const std::string digest = "sha256:" + std::string(64, 'a');
  const LedgerRelease& release = *ledger.Find("1.0.1");
  EXPECT_EQ(release.ImageFor("staging", ""), "127.0.0.1:5000/shop/api@" + digest);
  EXPECT_EQ(release.ImageFor("staging", "127.0.0.1:5000/shop/api"), "127.0.0.1:5000/shop/api@" + digest);  // Released there.
  EXPECT_EQ(release.ImageFor("prod", "127.0.0.1:5000/shop"), "");  // A prefix is another repository.
  EXPECT_EQ(release.ImageFor("prod", "127.0.0.1:6000/prod/api"), "");

  ledger.RecordPromotion("1.0.1", {"prod", "127.0.0.1:6000/prod/api", "2026-11-23T13:00:00Z", "ci", {"v1.0.1"}, {"sha256-x.sig"}});
  ledger.RecordPromotion("v1.0.1", {"prod", "127.0.0.1:6000/prod/api", "2026-11-23T14:00:00Z", "ci", {"v1.0.1"}, {"sha256-x.sig"}});
  const LedgerRelease& promoted = *ledger.Find("1.0.1");
  EXPECT_EQ(promoted.ImageFor("prod", "127.0.0.1:6000/prod/api"), "127.0.0.1:6000/prod/api@" + digest);
  ASSERT_EQ(promoted.promotions.size(), 1u);  // Promoting again replaces the record.
  EXPECT_EQ(promoted.promotions[0].at, "2026-11-23T14:00:00Z");
  EXPECT_EQ(promoted.images.back(), "127.0.0.1:6000/prod/api:v1.0.1");
  EXPECT_EQ(promoted.images.size(), 3u);
  EXPECT_THROW(ledger.RecordPromotion("9.9.9", {}), Error);

  Ledger loaded = Ledger::FromJson(ledger.ToJson(), "releases.json");
  EXPECT_EQ(loaded.ToJson(), ledger.ToJson());
  EXPECT_FALSE(Ledger().ToJson().contains("promotions"));
}

// releases.json is committed: a ledger written before git tags were
// recorded loads, and saving an untagged release adds no empty field.
TEST(LedgerTest, GitTagIsOptionalAndRoundTrips) {
  TempDir dir;
  WriteFileAtomic(dir.path() / "releases.json",
                  R"({"schema": 1, "service": "api", "releases": [{"version": "1.0.0", "git": {"sha": "abc", "dirty": false},
                      "digest": "sha256:00", "images": ["r/api:1.0.0"], "changelog": "- Old.", "deployments": []}]})");
  Ledger old = Ledger::Load(dir.path() / "releases.json");
  EXPECT_EQ(old.Find("1.0.0")->git_tag, "");
  EXPECT_EQ(old.Find("1.0.0")->changelog, "- Old.");
  EXPECT_FALSE(old.ToJson()["releases"][0].contains("git_tag"));
  LedgerRelease tagged = Release("1.0.1", "b");
  tagged.git_tag = "v1.0.1";
  old.Add(tagged);
  old.Save(dir.path() / "releases.json", dir.path() / "RELEASES.md");
  Ledger loaded = Ledger::Load(dir.path() / "releases.json");
  EXPECT_EQ(loaded.Find("1.0.1")->git_tag, "v1.0.1");
  EXPECT_EQ(loaded.ToJson()["releases"][1]["git_tag"], "v1.0.1");
}

// Per release: tag, images, digest, signatures, changelog, deployments.
TEST(LedgerTest, MarkdownShowsEachReleaseInReadingOrder) {
  Ledger ledger;
  LedgerRelease release = Release("1.0.1", "a");
  release.git_tag = "v1.0.1";
  release.signatures = {{"cosign", "127.0.0.1:5000/shop/api:sha256-aaa.sig", "SHA256:key"}};
  release.changelog = "### Fixed\n- The crash.";
  ledger.Add(release);
  ledger.RecordDeployment("1.0.1", Deployed("staging", "2026-11-23T11:00:00Z", DeploymentState::kHealthy, "1"));
  const std::string markdown = ledger.ToMarkdown();
  std::vector<size_t> at = {markdown.find("- Git tag: `v1.0.1`"), markdown.find("- Images:\n  - `127.0.0.1:5000/shop/api:v1.0.1`"),
                            markdown.find("- Digest: `sha256:aaaa"), markdown.find("- Signatures:\n  - cosign: "),
                            markdown.find("\n### Fixed\n- The crash.\n"), markdown.find("\n### Deployments\n\n- staging at")};
  for (size_t i = 0; i < at.size(); ++i) {
    ASSERT_NE(at[i], std::string::npos) << i << "\n" << markdown;
    if (i > 0) {
      EXPECT_LT(at[i - 1], at[i]) << i << "\n" << markdown;
    }
  }
  // Without a tag there is no tag line; the commit is still shown.
  EXPECT_EQ(Ledger().ToMarkdown().find("Git tag"), std::string::npos);
}

}  // namespace
}  // namespace berth::host
