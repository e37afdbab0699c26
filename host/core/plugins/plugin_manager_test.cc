// PluginManager::Load maps the library its checks read: the hook between
// the checks and dlopen swaps another library in at the path, and the one
// that was checked is still what loads.
#include "core/plugins/plugin_manager.h"

#include <stdlib.h>

#include <gtest/gtest.h>

#include "berth/util/fs.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

const fs::path kManagerFixtures = BERTH_FIXTURE_PLUGIN_DIR;

class PluginManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(plugins_);
    fs::copy(kManagerFixtures / "echo" / "echo", plugins_ / "echo", fs::copy_options::recursive);
    // No record of the user's is read, no marker left outside the test.
    ::setenv("XDG_DATA_HOME", (dir_.path() / "data").c_str(), 1);
    ::setenv("BERTH_EVIL_MARKER", marker_.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("XDG_DATA_HOME");
    ::unsetenv("BERTH_EVIL_MARKER");
  }

  TempDir dir_{"berth-plugin-manager"};
  fs::path plugins_ = dir_.path() / "plugins";
  fs::path marker_ = dir_.path() / "evil-ran";
};

TEST_F(PluginManagerTest, LoadMapsTheLibraryItChecked) {
  PluginManager manager({{plugins_, PluginSource::kPluginPath}}, fs::path());
  int swaps = 0;
  manager.SetAfterCheckForTesting([&](const DiscoveredPlugin& plugin) {
    const fs::path incoming = plugins_ / "incoming.so";
    fs::copy_file(kManagerFixtures / "evil-echo" / "evil-echo" / "libberth-evil-echo.so", incoming);
    fs::rename(incoming, plugin.library_path());
    ++swaps;
  });
  Result<LoadedPlugin*> loaded = manager.Load("echo");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(swaps, 1);
  EXPECT_EQ(loaded.value()->version(), "1.0.0") << "the library swapped in after the checks was mapped";
  EXPECT_FALSE(fs::exists(marker_)) << "evil-echo's constructor ran";
  EXPECT_NE(loaded.value()->FindCommand("echo say"), nullptr) << "not opened through the host table";
}

}  // namespace
}  // namespace berth::host
