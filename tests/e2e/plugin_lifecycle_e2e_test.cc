// A plugin's life: scaffolded with `berth plugin new`, built out of tree
// against the installed SDK, installed, listed, run, replaced and removed.
#include <gtest/gtest.h>

#include "berth/fs.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

const fs::path kFixtures = BERTH_FIXTURE_PLUGIN_DIR;

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

TEST(PluginLifecycleE2eTest, ScaffoldBuildInstallRunRemove) {
  BerthRunner berth;
  fs::path prefix = berth.home() / "prefix";
  // The SDK as a user gets it: cmake --install of this build.
  auto installed = Sh("cmake --install '" BERTH_BUILD_DIR "' --prefix '" + prefix.string() + "' >/dev/null", berth.home());
  ASSERT_EQ(installed.exit_code, 0) << Describe(installed);
  ASSERT_TRUE(fs::exists(prefix / "include" / "berth" / "plugin.h"));
  ASSERT_TRUE(fs::exists(prefix / "lib" / "cmake" / "BerthSDK" / "BerthSDKConfig.cmake"));

  auto created = berth.Json({"plugin", "new", "team-vault"});
  ASSERT_EQ(created["files"].size(), 7u) << created;
  EXPECT_EQ(created["next_steps"].size(), 5u) << created;
  fs::path project = berth.work_dir() / "berth-plugin-team-vault";
  ASSERT_TRUE(fs::exists(project / "CMakeLists.txt"));

  std::string flags = BERTH_SANITIZE ? "-fsanitize=address,undefined" : "";
  auto built = Sh("cmake -S . -B build -DCMAKE_PREFIX_PATH='" + prefix.string() + "' -DCMAKE_CXX_FLAGS='" + flags +
                      "' -DCMAKE_BUILD_TYPE=Debug >build.log 2>&1 && cmake --build build -j2 >>build.log 2>&1 && "
                      "ctest --test-dir build --output-on-failure >>build.log 2>&1 || { cat build.log; exit 1; }",
                  project);
  ASSERT_EQ(built.exit_code, 0) << Describe(built);
  fs::path plugin_dir = project / "build" / "plugins" / "team-vault";
  ASSERT_TRUE(fs::exists(plugin_dir / "berth-plugin.json"));

  auto install = berth.Json({"plugin", "install", plugin_dir.string(), "--allow-unsigned"});
  EXPECT_EQ(install["name"], "team-vault");
  fs::path target = berth.home() / "data" / "berth" / "plugins" / "team-vault";
  EXPECT_EQ(install["path"], target.string());

  auto listed = FindListed(berth.Json({"plugin", "list"}), "team-vault");
  ASSERT_FALSE(listed.is_null());
  EXPECT_EQ(listed["state"], "ok");
  EXPECT_EQ(listed["source"], "user");
  EXPECT_EQ(listed["version"], "0.1.0");
  EXPECT_EQ(listed["kinds"], nlohmann::json::parse(R"(["secret-store"])"));
  EXPECT_EQ(listed["commands"], nlohmann::json::parse(R"(["team-vault count"])"));

  // The new plugin's store and its subcommand, through berth.
  fs::path store = berth.home() / "vault";
  auto set = berth.Run({"secrets", "set", "dev", "TOKEN", "--store", "team-vault", "--setting", "dir=" + store.string()},
                       "value-from-stdin");
  ASSERT_EQ(set.exit_code, 0) << Describe(set);
  EXPECT_EQ(ReadFile(store / "dev" / "TOKEN"), "value-from-stdin");
  auto count = berth.Json({"team-vault", "count", "dev", "--dir", store.string()});
  EXPECT_EQ(count["secrets"], 1);

  auto removed = berth.Json({"plugin", "remove", "team-vault"});
  EXPECT_EQ(removed["removed"], target.string());
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(FindListed(berth.Json({"plugin", "list"}), "team-vault").is_null());
  auto again = berth.Run({"plugin", "remove", "team-vault"});
  EXPECT_EQ(again.exit_code, 6);
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

  // Project plugins live in .berth/plugins.
  auto project = berth.Json({"plugin", "install", (kFixtures / "echo" / "echo").string(), "--project", "--allow-unsigned"});
  EXPECT_EQ(project["path"], (berth.work_dir() / ".berth" / "plugins" / "echo").string());
  auto duplicate = berth.Run({"echo", "say", "x"});
  EXPECT_EQ(duplicate.exit_code, 4) << "same name in user and project dirs";
  EXPECT_EQ(berth.Json({"plugin", "remove", "echo", "--project"})["name"], "echo");
}

}  // namespace
}  // namespace berth::testing
