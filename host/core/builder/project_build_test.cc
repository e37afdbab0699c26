#include "core/builder/project_build.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace berth::host::builder {
namespace {

TEST(SourceDateEpochTest, ReadsOnlyAWholeNumber) {
  ::setenv("SOURCE_DATE_EPOCH", "1234", 1);
  EXPECT_EQ(SourceDateEpoch(), 1234);
  ::setenv("SOURCE_DATE_EPOCH", "soon", 1);
  EXPECT_EQ(SourceDateEpoch(), 0);
  ::setenv("SOURCE_DATE_EPOCH", "-5", 1);
  EXPECT_EQ(SourceDateEpoch(), 0);
  ::unsetenv("SOURCE_DATE_EPOCH");
  EXPECT_EQ(SourceDateEpoch(), 0);
}

}  // namespace
}  // namespace berth::host::builder
