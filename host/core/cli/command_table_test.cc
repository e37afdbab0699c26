#include "core/cli/command_table.h"

#include <gtest/gtest.h>

namespace berth::host {
namespace {

CommandTable Sample() {
  CommandTable table;
  auto noop = [](CommandContext&) { return 0; };
  table.Add({.path = "plugin list"}, noop);
  table.Add({.path = "plugin install"}, noop);
  table.Add({.path = "push"}, noop);
  table.AddPluginCommand("asap token", "", "asap");
  return table;
}

TEST(CommandTableTest, FindsTheLongestPath) {
  CommandTable table = Sample();
  auto match = table.Find({"plugin", "list", "extra"});
  ASSERT_NE(match.entry, nullptr);
  EXPECT_EQ(match.entry->path, "plugin list");
  EXPECT_EQ(match.words_used, 2u);
  EXPECT_EQ(table.Find({"plugin"}).entry, nullptr);
  EXPECT_TRUE(table.IsGroup("plugin"));
  EXPECT_EQ(table.Find({"asap", "token"}).entry->plugin, "asap");
}

TEST(CommandTableTest, SuggestsTheNearestCommand) {
  CommandTable table = Sample();
  EXPECT_EQ(table.Suggest("pusj").value_or(""), "push");
  EXPECT_EQ(table.Suggest("plugn").value_or(""), "plugin");
  EXPECT_EQ(table.Suggest("plugin lst").value_or(""), "plugin list");
  EXPECT_FALSE(table.Suggest("completelydifferent").has_value());
}

// A group registered twice once listed every registry command twice in --help.
TEST(CommandTableTest, RefusesTheSameHostCommandTwice) {
  CommandTable table = Sample();
  try {
    table.Add({.path = "push"}, [](CommandContext&) { return 0; });
    FAIL() << "a second 'push' was accepted";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "host command 'push' is registered twice");
  }
}

}  // namespace
}  // namespace berth::host
