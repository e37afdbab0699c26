// The CLI's contract: help, versions, suggestions, exit codes, streams.
#include <gtest/gtest.h>

#include "berth/abi/berth_plugin_api.h"
#include "berth/version.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {

TEST(CliE2eTest, VersionIsOneLineOnStdout) {
  BerthRunner berth;
  auto result = berth.Run({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.stdout_data, std::string("berth ") + BERTH_SDK_VERSION + "\n");
  EXPECT_EQ(result.stderr_data, "");
  auto json = berth.Json({"version"});
  EXPECT_EQ(json["abi_major"], BERTH_ABI_MAJOR);
  EXPECT_EQ(json["abi_minor"], BERTH_ABI_MINOR);
}

TEST(CliE2eTest, UnknownCommandSuggestsTheNearest) {
  BerthRunner berth;
  auto result = berth.Run({"plugn", "list"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stdout_data, "");
  EXPECT_EQ(result.stderr_data, "error: unknown command 'plugn'; did you mean 'plugin'? (see berth --help)\n");
  result = berth.Run({"plugin", "lst"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data, "error: unknown command 'plugin lst'; did you mean 'plugin list'? (see berth --help)\n");
}

TEST(CliE2eTest, HelpEverywhere) {
  BerthRunner berth;
  auto result = berth.Run({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.stdout_data.find("plugin install"), std::string::npos);
  EXPECT_NE(result.stdout_data.find("file-secrets where"), std::string::npos) << "plugin commands come from manifests";
  result = berth.Run({"plugin", "install", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.stdout_data.find("Usage: berth plugin install [options] SOURCE"), std::string::npos) << result.stdout_data;
  result = berth.Run({"file-secrets", "where", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.stdout_data.find("Usage: berth file-secrets where [options] ENV"), std::string::npos) << result.stdout_data;
  result = berth.Run({"plugin"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.stderr_data.find("plugin list"), std::string::npos);
}

TEST(CliE2eTest, UsageErrorsAndOutputFormats) {
  BerthRunner berth;
  auto result = berth.Run({"plugin", "info"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data, "error: missing NAME for 'berth plugin info' (see berth plugin info --help)\n");
  result = berth.Run({"plugin", "list", "--bogus"});
  EXPECT_EQ(result.exit_code, 2);
  result = berth.Run({"plugin", "list", "-o", "xml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data, "error: unknown output format 'xml' (use table, json or yaml)\n");
  result = berth.Run({"version", "-o", "yaml"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.stdout_data.find("abi_major: " + std::to_string(BERTH_ABI_MAJOR)), std::string::npos) << result.stdout_data;
}

TEST(CliE2eTest, CompletionListsCommands) {
  BerthRunner berth;
  auto result = berth.Run({"completion", "bash"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.stdout_data.find("complete -F _berth berth"), std::string::npos);
  EXPECT_NE(result.stdout_data.find("plugin list"), std::string::npos);
  // The script is valid bash.
  ProcessOptions options;
  options.stdin_data = result.stdout_data;
  EXPECT_EQ(RunProcess({"bash", "-n"}, options).exit_code, 0);
}

}  // namespace
}  // namespace berth::testing
