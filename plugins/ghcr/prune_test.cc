#include "prune.h"

#include <gtest/gtest.h>

#include <map>

namespace berth::ghcr {
namespace {

std::string D(char c) { return "sha256:" + std::string(64, c); }
std::string SigTag(char c, const std::string& suffix = ".sig") { return "sha256-" + std::string(64, c) + suffix; }

PackageVersion V(int64_t id, char digest, std::vector<std::string> tags, std::string created) {
  return PackageVersion{id, D(digest), std::move(tags), std::move(created), ""};
}

std::map<int64_t, std::pair<bool, std::string>> Decisions(const std::vector<PruneEntry>& plan) {
  std::map<int64_t, std::pair<bool, std::string>> out;
  for (const auto& e : plan) out[e.version.id] = {e.remove, e.reason};
  return out;
}

ManifestLinks Links(std::map<std::string, std::vector<std::string>> children,
                    std::map<std::string, std::vector<std::string>> referrers = {}) {
  return ManifestLinks{[children](const std::string& d) { return children.count(d) ? children.at(d) : std::vector<std::string>{}; },
                       [referrers](const std::string& d) {
                         return referrers.count(d) ? referrers.at(d) : std::vector<std::string>{};
                       }};
}

TEST(AttachmentSubjectTest, RecognisesCosignAndReferrerTags) {
  EXPECT_EQ(AttachmentSubject(SigTag('a')), D('a'));
  EXPECT_EQ(AttachmentSubject(SigTag('b', ".att")), D('b'));
  EXPECT_EQ(AttachmentSubject(SigTag('c', "")), D('c'));
  EXPECT_FALSE(AttachmentSubject("sha256-" + std::string(63, 'a')));
  EXPECT_FALSE(AttachmentSubject("sha256-" + std::string(64, 'g') + ".sig"));
  EXPECT_FALSE(AttachmentSubject(SigTag('a', "x")));
  EXPECT_FALSE(AttachmentSubject("v1.0"));
}

TEST(PlanPruneTest, KeepsTheNewestTaggedAndLeavesUntaggedAlone) {
  // API order is not time order here: created_at decides.
  std::vector<PackageVersion> versions = {V(1, '1', {"v1"}, "2024-01-01T00:00:00Z"), V(3, '3', {"v3", "latest"}, "2024-01-03T00:00:00Z"),
                                          V(2, '2', {"v2"}, "2024-01-02T00:00:00Z"), V(4, '4', {}, "2024-01-04T00:00:00Z")};
  auto plan = PlanPrune(versions, 2, false, Links({}));
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[0].version.id, 4);  // Newest first.
  auto d = Decisions(plan);
  EXPECT_FALSE(d[3].first);
  EXPECT_FALSE(d[2].first);
  EXPECT_TRUE(d[1].first);
  EXPECT_EQ(d[1].second, "older than the 2 newest tagged versions");
  EXPECT_FALSE(d[4].first);
  EXPECT_EQ(d[4].second, "untagged (pass --untagged to delete)");
}

TEST(PlanPruneTest, UntaggedChildrenOfAKeptIndexStay) {
  // Index 5 (kept, tagged) lists 6 and 7; index 8 (old) lists 9; 10 is a loose untagged manifest.
  std::vector<PackageVersion> versions = {V(5, '5', {"v2"}, "2024-02-05T00:00:00Z"), V(6, '6', {}, "2024-02-04T00:00:00Z"),
                                          V(7, '7', {}, "2024-02-04T00:00:00Z"),     V(8, '8', {"v1"}, "2024-02-03T00:00:00Z"),
                                          V(9, '9', {}, "2024-02-02T00:00:00Z"),     V(10, 'a', {}, "2024-02-01T00:00:00Z")};
  auto plan = PlanPrune(versions, 1, true, Links({{D('5'), {D('6'), D('7')}}, {D('8'), {D('9')}}}));
  auto d = Decisions(plan);
  EXPECT_FALSE(d[5].first);
  EXPECT_FALSE(d[6].first);
  EXPECT_EQ(d[6].second, "listed by kept index sha256:555555555555…");
  EXPECT_FALSE(d[7].first);
  EXPECT_TRUE(d[8].first);
  EXPECT_TRUE(d[9].first);
  EXPECT_TRUE(d[10].first);
  auto order = DeletionOrder(plan);
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0]->version.id, 8);  // The index before what it lists.
}

TEST(PlanPruneTest, NestedIndexesAndReferrersOfKeptManifestsStay) {
  std::vector<PackageVersion> versions = {V(1, '1', {"v1"}, "2024-03-03T00:00:00Z"), V(2, '2', {}, "2024-03-02T00:00:00Z"),
                                          V(3, '3', {}, "2024-03-01T00:00:00Z"), V(4, '4', {}, "2024-03-01T00:00:00Z")};
  auto plan = PlanPrune(versions, 1, true, Links({{D('1'), {D('2')}}, {D('2'), {D('3')}}}, {{D('3'), {D('4')}}}));
  auto d = Decisions(plan);
  EXPECT_FALSE(d[2].first);
  EXPECT_FALSE(d[3].first);
  EXPECT_FALSE(d[4].first);
  EXPECT_EQ(d[4].second, "refers to kept sha256:333333333333…");
}

TEST(PlanPruneTest, SignaturesFollowTheirSubject) {
  std::vector<PackageVersion> versions = {
      V(1, '1', {"v2"}, "2024-04-04T00:00:00Z"),
      V(2, '2', {SigTag('1')}, "2024-04-04T00:01:00Z"),           // signature of kept 1
      V(3, '3', {SigTag('1', ".att")}, "2024-04-04T00:02:00Z"),   // attestation of kept 1
      V(4, '4', {"v1"}, "2024-04-01T00:00:00Z"),
      V(5, '5', {SigTag('4')}, "2024-04-01T00:01:00Z"),           // signature of deleted 4
      V(6, '6', {SigTag('f')}, "2024-04-01T00:02:00Z"),           // subject not in the package
  };
  auto plan = PlanPrune(versions, 1, false, Links({}));
  auto d = Decisions(plan);
  EXPECT_FALSE(d[1].first);
  EXPECT_FALSE(d[2].first);
  EXPECT_EQ(d[2].second, "sig of kept sha256:111111111111…");
  EXPECT_FALSE(d[3].first);
  EXPECT_EQ(d[3].second, "att of kept sha256:111111111111…");
  EXPECT_TRUE(d[4].first);
  EXPECT_TRUE(d[5].first);
  EXPECT_EQ(d[5].second, "attachment of deleted sha256:444444444444…");
  EXPECT_FALSE(d[6].first);
  // Signature tags do not count towards the N newest tagged: 1 is kept although 2 and 3 are newer.
  auto order = DeletionOrder(plan);
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0]->version.id, 4);
  EXPECT_EQ(order[1]->version.id, 5);
}

TEST(PlanPruneTest, AnOldVersionWithAKeptDigestsSignatureTagStays) {
  // A version carrying both an ordinary tag and the signature tag of a kept digest.
  std::vector<PackageVersion> versions = {V(1, '1', {"v2"}, "2024-05-02T00:00:00Z"),
                                          V(2, '2', {"old", SigTag('1')}, "2024-05-01T00:00:00Z")};
  auto d = Decisions(PlanPrune(versions, 1, true, Links({})));
  EXPECT_FALSE(d[2].first);
}

TEST(PlanPruneTest, KeepZeroDeletesEveryTaggedVersion) {
  std::vector<PackageVersion> versions = {V(1, '1', {"a"}, "2024-01-02T00:00:00Z"), V(2, '2', {"b"}, "2024-01-01T00:00:00Z")};
  auto plan = PlanPrune(versions, 0, false, Links({}));
  EXPECT_EQ(DeletionOrder(plan).size(), 2u);
}

}  // namespace
}  // namespace berth::ghcr
