#include "core/plugins/plugin_scaffold.h"

#include <algorithm>

#include "berth/error.h"
#include "berth/manifest.h"
#include "berth/util/fs.h"
#include "berth/version.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr char kCMakeLists[] = R"cmake(cmake_minimum_required(VERSION 3.25)
project(berth-plugin-@NAME@ VERSION 0.1.0 LANGUAGES CXX)

set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()
option(BUILD_TESTING "Build the tests (needs GoogleTest)" ON)

# The installed SDK: headers, libberth-sdk, the plugin runtime compiled into
# the plugin, berth_add_plugin() and berth_add_plugin_test(). Any later 0.x
# SDK with the same plugin ABI major loads this plugin.
find_package(BerthSDK @SDK_VERSION@ REQUIRED)

add_library(@IDENT@_store STATIC src/@IDENT@_store.cc)
target_link_libraries(@IDENT@_store PUBLIC Berth::sdk)
target_include_directories(@IDENT@_store PUBLIC src)
set_target_properties(@IDENT@_store PROPERTIES POSITION_INDEPENDENT_CODE ON)

# Builds libberth-@NAME@.so and writes berth-plugin.json beside it, in
# ${CMAKE_BINARY_DIR}/plugins/@NAME@/: install it with
#   berth plugin install build/plugins/@NAME@
berth_add_plugin(@NAME@ SOURCES src/@IDENT@_plugin.cc LIBRARIES @IDENT@_store)

if(BUILD_TESTING)
  enable_testing()
  find_package(GTest REQUIRED)
  add_executable(@IDENT@_store_test test/@IDENT@_store_test.cc)
  target_link_libraries(@IDENT@_store_test PRIVATE @IDENT@_store GTest::gtest_main)
  add_test(NAME @IDENT@_store_test COMMAND @IDENT@_store_test)
  # The plugin as berth sees it, loaded in-process: no berth binary needed.
  berth_add_plugin_test(@IDENT@_plugin_test PLUGIN @NAME@ SOURCES test/@IDENT@_plugin_test.cc)
endif()
)cmake";

constexpr char kStoreHeader[] = R"(// A secret store that keeps each secret in its own 0600 file:
// <dir>/<environment>/<NAME>.
#ifndef @GUARD@_STORE_H_
#define @GUARD@_STORE_H_

#include <berth/secret_store.h>

#include <filesystem>

namespace @IDENT@ {

class DirectoryStore : public berth::SecretStore {
 public:
  explicit DirectoryStore(std::filesystem::path root) : root_(std::move(root)) {}
  berth::Status Set(const std::string& environment, const std::string& name,
                    const berth::SecretValue& value) noexcept override;
  berth::Result<std::vector<std::string>> List(const std::string& environment) noexcept override;
  berth::Status Delete(const std::string& environment, const std::string& name) noexcept override;
  berth::Result<std::vector<berth::SecretDiffEntry>> Diff(
      const std::string& environment, const std::map<std::string, berth::SecretValue>& desired) noexcept override;

 private:
  std::filesystem::path PathOf(const std::string& environment, const std::string& name) const;
  std::filesystem::path root_;
};

}  // namespace @IDENT@

#endif  // @GUARD@_STORE_H_
)";

constexpr char kStoreSource[] = R"(#include "@IDENT@_store.h"

#include <berth/util/fs.h>

#include <algorithm>
#include <cctype>

namespace @IDENT@ {
namespace fs = std::filesystem;

namespace {
void CheckName(const std::string& what, const std::string& name) {
  bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  }) && name[0] != '.';
  if (!ok) throw berth::Error(berth::ErrorCode::kInvalidInput, "invalid " + what + " '" + name + "'");
}
}  // namespace

fs::path DirectoryStore::PathOf(const std::string& environment, const std::string& name) const {
  CheckName("environment", environment);
  CheckName("secret name", name);
  return root_ / environment / name;
}

berth::Status DirectoryStore::Set(const std::string& environment, const std::string& name,
                                  const berth::SecretValue& value) noexcept {
  return berth::Capture([&] {
    fs::path path = PathOf(environment, name);
    berth::CreateDirectories(path.parent_path(), 0700);
    berth::WriteFileAtomic(path, value.Reveal(), 0600);
  });
}

berth::Result<std::vector<std::string>> DirectoryStore::List(const std::string& environment) noexcept {
  return berth::CaptureResult([&] {
    CheckName("environment", environment);
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(root_ / environment, error)) {
      std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && name[0] != '.') names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  });
}

berth::Status DirectoryStore::Delete(const std::string& environment, const std::string& name) noexcept {
  return berth::Capture([&] {
    if (!fs::remove(PathOf(environment, name))) {
      throw berth::Error(berth::ErrorCode::kNotFound, "no secret '" + name + "' in environment '" + environment + "'");
    }
  });
}

berth::Result<std::vector<berth::SecretDiffEntry>> DirectoryStore::Diff(
    const std::string& environment, const std::map<std::string, berth::SecretValue>& desired) noexcept {
  return berth::CaptureResult([&] {
    std::vector<berth::SecretDiffEntry> diff;
    for (const auto& [name, value] : desired) {
      fs::path path = PathOf(environment, name);
      if (!fs::exists(path)) {
        diff.push_back({name, berth::SecretChange::kAdded});
      } else {
        bool same = berth::ReadFile(path) == value.Reveal();
        diff.push_back({name, same ? berth::SecretChange::kUnchanged : berth::SecretChange::kChanged});
      }
    }
    for (const auto& name : List(environment).value()) {
      if (!desired.count(name)) diff.push_back({name, berth::SecretChange::kRemoved});
    }
    return diff;
  });
}

}  // namespace @IDENT@
)";

constexpr char kPluginSource[] = R"cc(// The @NAME@ berth plugin: registers a secret store and one subcommand.
#include <berth/output.h>
#include <berth/plugin.h>

#include <cstdlib>

#include "@IDENT@_store.h"

namespace {

std::filesystem::path DefaultRoot() {
  const char* data = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  std::filesystem::path base = data != nullptr ? data : std::string(home != nullptr ? home : "/") + "/.local/share";
  return base / "berth" / "@NAME@";
}

std::filesystem::path RootFrom(const nlohmann::json& settings) {
  return settings.contains("dir") ? std::filesystem::path(settings["dir"].get<std::string>()) : DefaultRoot();
}

void Register(berth::Registrar& registrar) {
  registrar.SetDescription("@NAME@: secrets kept as one 0600 file each");
  registrar.AddSecretStore("@NAME@", "Secrets as one 0600 file each under a directory",
                           [](const nlohmann::json& settings) {
                             return std::make_unique<@IDENT@::DirectoryStore>(RootFrom(settings));
                           },
                           // berth checks berth.yaml against this before the plugin runs,
                           // and makes a relative dir absolute (relative to the project).
                           berth::SettingsSchema{{"dir", berth::Setting::Path("Store directory (default: $XDG_DATA_HOME/berth/@NAME@)")}});
  registrar.AddCommand(
      berth::CommandSpec{
          .path = "@NAME@ count",
          .summary = "Count the secrets stored for an environment",
          .options = {{.name = "environment", .help = "Environment name", .value_name = "ENV", .required = true, .position = 1},
                      {.name = "dir", .help = "Store directory", .value_name = "DIR"}}},
      [](berth::CommandContext& context) {
        nlohmann::json settings = nlohmann::json::object();
        if (auto dir = context.args.GetOptional("dir")) settings["dir"] = *dir;
        @IDENT@::DirectoryStore store(RootFrom(settings));
        std::string environment = context.args.Get("environment");
        size_t count = store.List(environment).value().size();
        context.output.Emit({{"environment", environment}, {"secrets", count}});
        return 0;
      });
}

}  // namespace

BERTH_PLUGIN("@NAME@", "0.1.0", Register)
)cc";

constexpr char kTestSource[] = R"(#include "@IDENT@_store.h"

#include <berth/util/fs.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

TEST(DirectoryStoreTest, SetsListsDiffsAndDeletes) {
  berth::TempDir dir;
  @IDENT@::DirectoryStore store(dir.path());
  ASSERT_TRUE(store.Set("dev", "API_KEY", berth::SecretValue("s3cret-value")).ok());
  ASSERT_EQ(store.List("dev").value(), std::vector<std::string>{"API_KEY"});

  struct stat info {};
  ASSERT_EQ(stat((dir.path() / "dev" / "API_KEY").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  std::map<std::string, berth::SecretValue> desired;
  desired.emplace("API_KEY", berth::SecretValue("other-value"));
  desired.emplace("NEW_KEY", berth::SecretValue("new-value"));
  auto diff = store.Diff("dev", desired).value();
  ASSERT_EQ(diff.size(), 2u);
  EXPECT_EQ(diff[0].change, berth::SecretChange::kChanged);
  EXPECT_EQ(diff[1].change, berth::SecretChange::kAdded);

  ASSERT_TRUE(store.Delete("dev", "API_KEY").ok());
  EXPECT_TRUE(store.List("dev").value().empty());
  EXPECT_FALSE(store.Delete("dev", "API_KEY").ok());
  EXPECT_FALSE(store.Set("../escape", "X", berth::SecretValue("v")).ok());
}
)";

constexpr char kPluginTestSource[] = R"(// The plugin through berth's C boundary, loaded in-process by the SDK's
// test harness: its store and its command as berth would use them.
#include <berth/testing/plugin_harness.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

TEST(PluginTest, StoresAndCountsThroughTheBoundary) {
  berth::testing::PluginHarness harness(BERTH_PLUGIN_LIBRARY);
  std::string pattern = (std::filesystem::temp_directory_path() / "@NAME@-test-XXXXXX").string();
  std::string dir = mkdtemp(pattern.data());
  auto store = harness.OpenSecretStore("@NAME@", {{"dir", dir}});
  ASSERT_TRUE(store->Set("dev", "TOKEN", berth::SecretValue("s3cret-value")).ok());
  auto run = harness.Run("@NAME@ count", {{"environment", {"dev"}}, {"dir", {dir}}});
  ASSERT_EQ(run.exit_code, 0) << run.error;
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0]["secrets"], 1);
  std::filesystem::remove_all(dir);
}
)";

constexpr char kReadme[] = R"(# berth plugin: @NAME@

Built out of tree against the installed berth SDK.

    cmake -S . -B build -DCMAKE_PREFIX_PATH=<berth install prefix>   # -DBUILD_TESTING=OFF: no GoogleTest needed
    cmake --build build && ctest --test-dir build
    berth plugin sign build/plugins/@NAME@ --key <your signing key>
    berth plugin install build/plugins/@NAME@
    berth @NAME@ count dev

See the berth SDK documentation (docs/plugin-sdk.md) for signing keys and trusting them.
)";

std::string Fill(std::string text, const std::string& name) {
  std::string ident = name;
  std::replace(ident.begin(), ident.end(), '-', '_');
  std::string guard = ident;
  std::transform(guard.begin(), guard.end(), guard.begin(), ::toupper);
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) text.replace(pos, from.size(), to);
  };
  replace_all("@NAME@", name);
  replace_all("@IDENT@", ident);
  replace_all("@GUARD@", guard);
  replace_all("@SDK_VERSION@", BERTH_SDK_VERSION);
  return text;
}

}  // namespace

std::vector<fs::path> ScaffoldPlugin(const std::string& name, const fs::path& directory) {
  if (!IsValidPluginName(name)) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid plugin name '" + name + "' (start with a letter; lowercase letters, digits and '-')");
  }
  if (fs::exists(directory) && !fs::is_empty(directory)) {
    throw Error(ErrorCode::kInvalidInput, directory.string() + " already exists and is not empty");
  }
  std::string ident = name;
  std::replace(ident.begin(), ident.end(), '-', '_');
  const std::vector<std::pair<fs::path, const char*>> files = {
      {"CMakeLists.txt", kCMakeLists},
      {"README.md", kReadme},
      {fs::path("src") / (ident + "_store.h"), kStoreHeader},
      {fs::path("src") / (ident + "_store.cc"), kStoreSource},
      {fs::path("src") / (ident + "_plugin.cc"), kPluginSource},
      {fs::path("test") / (ident + "_store_test.cc"), kTestSource},
      {fs::path("test") / (ident + "_plugin_test.cc"), kPluginTestSource},
  };
  std::vector<fs::path> written;
  for (const auto& [relative, content] : files) {
    WriteFileAtomic(directory / relative, Fill(content, name));
    written.push_back(directory / relative);
  }
  return written;
}

}  // namespace berth::host
