#include "berth/util/text.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

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

// A registry's message can carry escape sequences that recolour, retitle or
// clear the terminal, or plant a hyperlink (OSC 8): none may survive.
TEST(TextTest, FirstInvalidUtf8FindsTheFirstBadByte) {
  EXPECT_EQ(FirstInvalidUtf8(""), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("plain ascii"), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\xa2"), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("\xc3"), 0u);               // Cut short.
  EXPECT_EQ(FirstInvalidUtf8("a\xc0\xaf"), 1u);           // Overlong '/'.
  EXPECT_EQ(FirstInvalidUtf8("ok \xed\xa0\x80"), 3u);     // A surrogate.
  EXPECT_EQ(FirstInvalidUtf8("\xf4\x90\x80\x80"), 0u);   // Past U+10FFFF.
}

TEST(TextTest, StripControlRemovesEscapeSequencesAndControls) {
  EXPECT_EQ(StripControl("plain text, kept"), "plain text, kept");
  EXPECT_EQ(StripControl("\x1b[31mred\x1b[0m \x1b[2J\x1b[1;1Hdone"), "red done");
  EXPECT_EQ(StripControl("\x1b]0;pwned title\x07" "after"), "after");
  EXPECT_EQ(StripControl("\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\"), "link");
  EXPECT_EQ(StripControl("\x1bPdevice control\x1b\\x"), "x");
  EXPECT_EQ(StripControl("a\x1b" "7b\x1b(Bc\x1b"), "abc");
  EXPECT_EQ(StripControl("bell\x07 nul" + std::string(1, '\0') + " del\x7f back\bspace"), "bell nul del backspace");
  EXPECT_EQ(StripControl("line one\r\nline\ttwo"), "line one  line two");
  // C1 controls as UTF-8 (U+009B is CSI to many terminals); other non-ASCII stays.
  EXPECT_EQ(StripControl("\xc2\x9b" "31mx \xc2\x85y"), "31mx y");
  EXPECT_EQ(StripControl("caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x9a\xa2"), "caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x9a\xa2");
  // Bytes that are not UTF-8 (raw 8-bit C1 among them) are shown as '?'.
  EXPECT_EQ(StripControl("a\x9b" "b\xff\xc3"), "a?b??");
  EXPECT_EQ(StripControl("\x1b["), "");
}

TEST(TextTest, JoinsAnyRangeOfStrings) {
  EXPECT_EQ(Join(std::vector<std::string>{"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(Join(std::set<std::string>{"z", "y"}, ","), "y,z");
  EXPECT_EQ(Join(std::vector<std::string>{}, ","), "");
}

}  // namespace
}  // namespace berth
