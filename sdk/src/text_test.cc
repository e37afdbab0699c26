#include "berth/text.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(TextTest, EditDistanceCountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("registry", "registry"), 0u);
  EXPECT_EQ(EditDistance("regsitry", "registry"), 2u);
  EXPECT_EQ(EditDistance("ledgr", "ledger"), 1u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
}

TEST(TextTest, NearestStaysWithinTheDistanceAndPrefersTheClosest) {
  std::set<std::string> fields = {"service", "secrets", "signing"};
  EXPECT_EQ(Nearest("servce", fields), "service");
  EXPECT_EQ(Nearest("secret", fields), "secrets");
  EXPECT_EQ(Nearest("deploy", fields), std::nullopt);
  EXPECT_EQ(Nearest("sgning", fields, 0), std::nullopt);
  EXPECT_EQ(Nearest("sgning", fields, 1), "signing");
}

TEST(TextTest, DidYouMeanIsEmptyWhenNothingIsNear) {
  std::set<std::string> fields = {"path", "markdown"};
  EXPECT_EQ(DidYouMean("pth", fields), " (did you mean 'path'?)");
  EXPECT_EQ(DidYouMean("ledger", fields), "");
}

}  // namespace
}  // namespace berth
