#include "berth/http/challenge.h"

#include <gtest/gtest.h>

#include "berth/http/retry.h"
#include "berth/http/url.h"

namespace berth::http {
namespace {

TEST(ChallengeTest, BearerWithQuotedCommasAndSeveralChallenges) {
  auto challenges = ParseChallenges(
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm="x y")");
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "bearer");
  EXPECT_EQ(challenges[0].Param("realm"), "https://auth.example/token");
  EXPECT_EQ(challenges[0].Param("service"), "registry.example");
  EXPECT_EQ(challenges[0].Param("scope"), "repository:a/b:pull,push");
  EXPECT_EQ(challenges[1].scheme, "basic");
  EXPECT_EQ(challenges[1].Param("realm"), "x y");
}

TEST(ChallengeTest, CaseSpacingTokensAndEscapes) {
  auto challenges = ParseChallenges(R"(BEARER  Realm = "a\"b" , error=insufficient_scope,Negotiate abc==, Basic)");
  ASSERT_EQ(challenges.size(), 3u);
  EXPECT_EQ(challenges[0].Param("realm"), "a\"b");
  EXPECT_EQ(challenges[0].Param("error"), "insufficient_scope");
  EXPECT_EQ(challenges[1].scheme, "negotiate");
  EXPECT_EQ(challenges[1].Param("token68"), "abc==");
  EXPECT_EQ(challenges[2].scheme, "basic");
  EXPECT_TRUE(ParseChallenges("").empty());
  EXPECT_TRUE(ParseChallenges(" , ,").empty());
}

TEST(RetryTest, BackoffGrowsWithJitterAndHonoursRetryAfter) {
  RetryPolicy policy;
  policy.initial_backoff = std::chrono::milliseconds(100);
  policy.max_backoff = std::chrono::milliseconds(1000);
  for (int i = 0; i < 50; ++i) {
    auto first = policy.Backoff(1).count();
    EXPECT_GE(first, 90);
    EXPECT_LE(first, 110);
    auto third = policy.Backoff(3).count();
    EXPECT_GE(third, 360);
    EXPECT_LE(third, 440);
    EXPECT_LE(policy.Backoff(10).count(), 1100);
  }
  EXPECT_EQ(policy.Backoff(1, std::chrono::milliseconds(3000)).count(), 3000);
  EXPECT_EQ(policy.Backoff(1, std::chrono::milliseconds(999999)).count(), 60000);
  EXPECT_EQ(ParseRetryAfter("2")->count(), 2000);
  EXPECT_FALSE(ParseRetryAfter("soon"));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")->count(), 0);  // In the past.
  for (int status : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(IsRetryableStatus(status)) << status;
  for (int status : {400, 401, 403, 404, 405, 416}) EXPECT_FALSE(IsRetryableStatus(status)) << status;
}

TEST(ChallengeTest, ScopeActionsAreSortedPerResource) {
  EXPECT_EQ(SortScopeActions("repository:team/app:push,pull"), "repository:team/app:pull,push");
  EXPECT_EQ(SortScopeActions("repository:team/app:pull,push"), "repository:team/app:pull,push");
  EXPECT_EQ(SortScopeActions("repository:a:push,delete,pull registry:catalog:*"), "repository:a:delete,pull,push registry:catalog:*");
  EXPECT_EQ(SortScopeActions("repository:localhost:5000/a:push,pull"), "repository:localhost:5000/a:pull,push");
  EXPECT_EQ(SortScopeActions("repository:a:"), "repository:a:");
  EXPECT_EQ(SortScopeActions(""), "");
}

TEST(UrlTest, ResolvesLocationsAndAddsQueries) {
  EXPECT_EQ(ResolveUrl("http://h:1/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/u?_state=x"), "http://h:1/v2/a/blobs/uploads/u?_state=x");
  EXPECT_EQ(ResolveUrl("http://h:1/v2/", "https://other/x"), "https://other/x");
  EXPECT_EQ(AddQuery("http://h/u?_state=x", "digest", "sha256:ab"), "http://h/u?_state=x&digest=sha256%3Aab");
  EXPECT_EQ(AddQuery("http://h/u", "n", "2"), "http://h/u?n=2");
  EXPECT_EQ(UrlHost("https://h.example:8443/p"), "h.example:8443");
  EXPECT_EQ(UrlHost("http://127.0.0.1/p"), "127.0.0.1");
}

}  // namespace
}  // namespace berth::http
