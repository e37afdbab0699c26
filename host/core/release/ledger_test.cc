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
}

}  // namespace
}  // namespace berth::host
