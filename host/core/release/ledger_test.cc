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

TEST(LedgerTest, RecordsReleasesAndDeploymentsAndPicksRollbackTargets) {
  Ledger ledger;
  ledger.set_service("shop-api");
  ledger.Add(Release("1.0.1", "a"));
  ledger.Add(Release("1.0.2", "b"));
  EXPECT_THROW(ledger.Add(Release("1.0.2", "c")), Error);
  EXPECT_EQ(ledger.Find("1.0.1")->ImageByDigest(), "127.0.0.1:5000/shop/api@sha256:" + std::string(64, 'a'));

  ledger.RecordDeployment("1.0.1", {"staging", "2026-11-23T11:00:00Z", "ci", "healthy", "1", ""});
  ledger.RecordDeployment("1.0.2", {"staging", "2026-11-23T12:00:00Z", "ci", "unhealthy", "2", ""});
  EXPECT_THROW(ledger.RecordDeployment("9.9.9", {}), Error);
  EXPECT_EQ(ledger.Current("staging")->version, "1.0.2");
  EXPECT_EQ(ledger.PreviousGood("staging", "1.0.2")->version, "1.0.1");
  EXPECT_EQ(ledger.PreviousGood("prod", ""), nullptr);

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
  EXPECT_NO_THROW(ledger.RecordDeployment("v1.0.1", {"staging", "2026-11-23T11:00:00Z", "ci", "healthy", "1", ""}));
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
  ledger.RecordDeployment("1.0.1", {"staging", "2026-11-23T11:00:00Z", "ci", "healthy", "1", ""});
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
