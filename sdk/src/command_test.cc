#include "berth/command.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

std::string UsageError(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUsage);
    return error.what();
  }
  return "no error";
}

TEST(ArgsTest, WholeNumbersAreCheckedAgainstTheirRange) {
  Args args({{"keep", {"3"}}, {"page-size", {"0"}}, {"max-time", {"12x"}}, {"huge", {"99999999999999999999"}}});
  EXPECT_EQ(args.WholeNumber("keep", 0), 3);
  EXPECT_EQ(args.WholeNumber("absent", 0), std::nullopt);
  EXPECT_EQ(UsageError([&] { args.WholeNumber("page-size", 1, 1000); }),
            "--page-size takes a whole number from 1 to 1000, not '0'");
  EXPECT_EQ(UsageError([&] { args.WholeNumber("max-time", 1); }), "--max-time takes a whole number from 1, not '12x'");
  EXPECT_EQ(UsageError([&] { args.WholeNumber("huge"); }), "--huge takes a whole number, not '99999999999999999999'");
}

TEST(ArgsTest, DurationsAreWrittenAsInBerthYaml) {
  Args args({{"a", {"90"}}, {"b", {"5m"}}, {"c", {"2h"}}, {"d", {"soon"}}});
  EXPECT_EQ(args.DurationSeconds("a"), 90);
  EXPECT_EQ(args.DurationSeconds("b"), 300);
  EXPECT_EQ(args.DurationSeconds("c"), 7200);
  EXPECT_EQ(args.DurationSeconds("absent"), std::nullopt);
  EXPECT_EQ(UsageError([&] { args.DurationSeconds("d"); }), "--d takes a duration (90, 90s, 5m, 2h), not 'soon'");
}

}  // namespace
}  // namespace berth
