// A plugin's life once built: installed, listed, run, replaced and removed.
// (Scaffolding and building out of tree: the docs tutorial test.)
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "fixture_plugins.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;


ProcessResult Sh(const std::string& script, const fs::path& cwd) {
  ProcessOptions options;
  options.cwd = cwd;
  options.timeout = std::chrono::minutes(8);
  return RunProcess({"bash", "-euo", "pipefail", "-c", script}, options);
}

nlohmann::json FindListed(const nlohmann::json& list, const std::string& name) {
  for (const auto& item : list) {
    if (item["name"] == name) return item;
  }
  return nullptr;
}

// Scaffold, build against the installed SDK, test, sign, trust, install,
// use and remove: docs/plugin-sdk.md's tutorial, run step by step by
// tests/docs/run_tutorial.sh (ctest -R DocsTutorial). Here: what `plugin
// new` writes and says.
TEST(PluginLifecycleE2eTest, NewWritesATestedProjectAndSaysWhatIsNext) {
  BerthRunner berth;
  auto created = berth.Json({"plugin", "new", "team-vault"});
  ASSERT_EQ(created["files"].size(), 7u) << created;
  ASSERT_EQ(created["next_steps"].size(), 5u) << created;
  EXPECT_EQ(created["next_steps"][4], "berth plugin install build/plugins/team-vault");
  fs::path project = berth.work_dir() / "berth-plugin-team-vault";
  std::string cmake = ReadFile(project / "CMakeLists.txt");
  EXPECT_NE(cmake.find("set(CMAKE_BUILD_TYPE RelWithDebInfo"), std::string::npos);
  EXPECT_NE(cmake.find("if(BUILD_TESTING)"), std::string::npos);
  EXPECT_NE(cmake.find("berth_add_plugin_test(team_vault_plugin_test PLUGIN team-vault"), std::string::npos);
  EXPECT_TRUE(fs::exists(project / "test" / "team_vault_plugin_test.cc"));
  // In table mode the next steps go to stderr, the result to stdout.
  auto again = berth.Run({"plugin", "new", "other-vault"});
  EXPECT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_NE(again.stderr_data.find("Next steps:\n  cd "), std::string::npos) << again.stderr_data;
}

TEST(PluginLifecycleE2eTest, InstallChecksBeforeCopyingAndGuardsVersions) {
  BerthRunner berth;
  fs::path root = berth.home() / "data" / "berth" / "plugins";

  // A tampered library is refused and nothing lands.
  TempDir bad("berth-bad");
  fs::copy(kFixtures / "echo" / "echo", bad.path() / "echo", fs::copy_options::recursive);
  std::string library = ReadFile(bad.path() / "echo" / "libberth-echo.so");
  library[100] ^= 1;
  WriteFileAtomic(bad.path() / "echo" / "libberth-echo.so", library, 0755);
  auto refused = berth.Run({"plugin", "install", (bad.path() / "echo").string()});
  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("does not match the manifest's"), std::string::npos) << refused.stderr_data;
  EXPECT_FALSE(fs::exists(root / "echo"));
  if (fs::exists(root)) {
    for (const auto& entry : fs::directory_iterator(root)) ADD_FAILURE() << "left behind: " << entry.path();
  }

  // From a .tar.gz package.
  auto packed = Sh("tar -czf '" + (berth.home() / "echo-1.tar.gz").string() + "' -C '" + (kFixtures / "echo").string() + "' echo",
                   berth.home());
  ASSERT_EQ(packed.exit_code, 0) << Describe(packed);
  auto first = berth.Json({"plugin", "install", (berth.home() / "echo-1.tar.gz").string(), "--allow-unsigned"});
  EXPECT_EQ(first["version"], "1.0.0");
  EXPECT_TRUE(first["replaced_version"].is_null());
  EXPECT_EQ(berth.Run({"echo", "say", "one"}).exit_code, 0);

  // Version 2 needs --force; the refusal changes nothing.
  fs::path v2 = kFixtures / "echo-v2" / "echo-v2";
  auto blocked = berth.Run({"plugin", "install", v2.string(), "--allow-unsigned"});
  EXPECT_EQ(blocked.exit_code, 3);
  EXPECT_EQ(blocked.stderr_data, "error: plugin 'echo' 1.0.0 is installed at " + (root / "echo").string() +
                                     "; use --force to replace it with 2.0.0\n");
  EXPECT_EQ(FindListed(berth.Json({"plugin", "list"}), "echo")["version"], "1.0.0");
  auto forced = berth.Json({"plugin", "install", v2.string(), "--force", "--allow-unsigned"});
  EXPECT_EQ(forced["replaced_version"], "1.0.0");
  auto info = berth.Json({"plugin", "info", "echo"});
  EXPECT_EQ(info["version"], "2.0.0");
  EXPECT_EQ(info["state"], "ok");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(root)) ++entries;
  EXPECT_EQ(entries, 1) << "no staging directories left behind";

  // Project plugins live in .berth/plugins; one name in the user's and the
  // project's plugins would make berth refuse both, so that install is refused.
  auto duplicate = berth.Run({"plugin", "install", (kFixtures / "echo" / "echo").string(), "--project", "--allow-unsigned"});
  EXPECT_EQ(duplicate.exit_code, 4) << "same name in user and project dirs";
  EXPECT_EQ(duplicate.stderr_data, "error: plugin 'echo' is also at " + (root / "echo").string() +
                                       " (user); berth refuses a plugin name found in two places, so remove that one first\n");
  EXPECT_FALSE(fs::exists(berth.work_dir() / ".berth" / "plugins" / "echo"));
  EXPECT_EQ(berth.Json({"plugin", "remove", "echo"})["name"], "echo");
  auto project = berth.Json({"plugin", "install", (kFixtures / "echo" / "echo").string(), "--project", "--allow-unsigned"});
  EXPECT_EQ(project["path"], (berth.work_dir() / ".berth" / "plugins" / "echo").string());
  EXPECT_EQ(berth.Run({"echo", "say", "x"}).exit_code, 0);
  EXPECT_EQ(berth.Json({"plugin", "remove", "echo", "--project"})["name"], "echo");
}

}  // namespace
}  // namespace berth::testing
