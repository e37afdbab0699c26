#include "core/plugins/plugin_version.h"

#include <gtest/gtest.h>

namespace berth::host {
namespace {

TEST(PluginVersionTest, OrdersBySemverPrecedence) {
  // Each is older than the next, as semver.org's precedence example says.
  const char* ordered[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                           "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.9.0", "1.10.0", "2.0.0"};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    EXPECT_LT(CompareVersions(ordered[i], ordered[i + 1]), 0) << ordered[i] << " < " << ordered[i + 1];
    EXPECT_GT(CompareVersions(ordered[i + 1], ordered[i]), 0) << ordered[i + 1] << " > " << ordered[i];
  }
  EXPECT_EQ(CompareVersions("1.2.3+build.5", "1.2.3"), 0);
}

TEST(PluginVersionTest, AVersionThatIsNotSemverNeverWins) {
  EXPECT_LT(CompareVersions("latest", "0.0.1"), 0);
  EXPECT_LT(CompareVersions("1.2", "0.0.1"), 0);
  EXPECT_GT(CompareVersions("0.0.1", "v9"), 0);
  EXPECT_EQ(CompareVersions("nightly", "nightly"), 0);
}

TEST(PluginVersionTest, KnowsPrereleases) {
  EXPECT_TRUE(IsPrerelease("2.0.0-rc.1"));
  EXPECT_FALSE(IsPrerelease("2.0.0+build"));
  EXPECT_FALSE(IsPrerelease("latest"));
}

}  // namespace
}  // namespace berth::host
