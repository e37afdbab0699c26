#include "core/cli/option_parser.h"

#include <gtest/gtest.h>

#include "berth/error.h"

namespace berth::host {
namespace {

CommandSpec Spec() {
  return {.path = "sign",
          .options = {{.name = "image", .value_name = "IMAGE", .required = true, .position = 1},
                      {.name = "annotation", .short_name = "a", .kind = OptionSpec::Kind::kList},
                      {.name = "key", .default_value = "cosign.key"},
                      {.name = "force", .kind = OptionSpec::Kind::kFlag}}};
}

TEST(OptionParserTest, SplitsGlobalsFromCommandWords) {
  auto split = SplitCommandLine({"-v", "plugin", "list", "-o", "json", "--no-color", "-vv", "--dry-run", "--trust"});
  EXPECT_EQ(split.words, (std::vector<std::string>{"plugin", "list"}));
  EXPECT_EQ(split.globals.output, "json");
  EXPECT_EQ(split.globals.verbosity, 3);
  EXPECT_TRUE(split.globals.no_color);
  EXPECT_TRUE(split.globals.dry_run);
  EXPECT_TRUE(split.globals.trust);
  EXPECT_TRUE(split.rest.empty());
  EXPECT_THROW(SplitCommandLine({"list", "-o"}), Error);
}

TEST(OptionParserTest, VersionIsGlobalOnlyBeforeACommand) {
  EXPECT_TRUE(SplitCommandLine({"--version"}).globals.version);
  EXPECT_TRUE(SplitCommandLine({"-v", "--version"}).globals.version);
  auto split = SplitCommandLine({"deploy", "staging", "--image", "r@sha256:x", "--version", "1.4.2"});
  EXPECT_FALSE(split.globals.version);
  EXPECT_EQ(split.words, (std::vector<std::string>{"deploy", "staging"}));
  EXPECT_EQ(split.rest, (std::vector<std::string>{"--image", "r@sha256:x", "--version", "1.4.2"}));
}

TEST(OptionParserTest, ParsesPositionalsListsDefaultsAndFlags) {
  Args args = ParseCommandArgs(Spec(), {"reg/x:1", "-a", "k=v", "--annotation", "x=y", "--force"});
  EXPECT_EQ(args.Get("image"), "reg/x:1");
  EXPECT_EQ(args.GetAll("annotation"), (std::vector<std::string>{"k=v", "x=y"}));
  EXPECT_EQ(args.Get("key"), "cosign.key");
  EXPECT_TRUE(args.Flag("force"));
}

TEST(OptionParserTest, UsageErrorsNameTheCommand) {
  try {
    ParseCommandArgs(Spec(), {"img", "--bogus"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("'berth sign'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ParseCommandArgs(Spec(), {}), Error);
  EXPECT_THROW(ParseCommandArgs(Spec(), {"a", "b"}), Error);
}

}  // namespace
}  // namespace berth::host
