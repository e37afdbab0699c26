#include "core/plugins/plugin_discovery.h"

#include <gtest/gtest.h>

#include "berth/util/fs.h"

namespace berth::host {
namespace {

void WriteManifest(const std::filesystem::path& dir, const std::string& name) {
  nlohmann::json manifest = {{"schema", 2},   {"name", name}, {"version", "1.0.0"},
                             {"abi_major", 2}, {"abi_minor", 0}, {"library", "libberth-" + name + ".so"}, {"sha256", "00"}};
  WriteFileAtomic(dir / name / kManifestFileName, manifest.dump());
}

TEST(PluginDiscoveryTest, ReadsManifestsInOrderAndRefusesDuplicates) {
  TempDir first, second;
  WriteManifest(first.path(), "alpha");
  WriteManifest(first.path(), "beta");
  WriteManifest(second.path(), "alpha");
  WriteFileAtomic(second.path() / "broken" / kManifestFileName, "{");
  auto plugins = DiscoverPlugins({{first.path(), PluginSource::kPluginPath}, {second.path(), PluginSource::kUser}});
  ASSERT_EQ(plugins.size(), 4u);
  EXPECT_EQ(plugins[0].name, "alpha");
  EXPECT_EQ(plugins[1].name, "beta");
  EXPECT_TRUE(plugins[1].state.ok());
  std::string duplicate = "plugin 'alpha' found twice: " + (first.path() / "alpha" / kManifestFileName).string() + " and " +
                          (second.path() / "alpha" / kManifestFileName).string();
  EXPECT_EQ(plugins[0].state.message(), duplicate);
  EXPECT_EQ(plugins[2].state.message(), duplicate);
  EXPECT_EQ(plugins[3].name, "broken");
  EXPECT_FALSE(plugins[3].state.ok());
}

}  // namespace
}  // namespace berth::host
