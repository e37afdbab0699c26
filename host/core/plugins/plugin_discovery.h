// Finding plugins: which directories, in which order, and what their
// manifests say. Nothing here loads a library.
//
// Search order (docs/architecture.md): 1. beside the binary
// (<bindir>/../lib/berth/plugins) and the install prefix, 2. each directory of
// BERTH_PLUGIN_PATH, 3. the user's $XDG_DATA_HOME/berth/plugins, 4. the
// project's .berth/plugins. A name found twice refuses both copies, with a
// message naming both paths: silently preferring one would run code the user
// may not expect.
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_DISCOVERY_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_DISCOVERY_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "berth/error.h"
#include "berth/manifest.h"

namespace berth::host {

enum class PluginSource { kBundled, kPluginPath, kUser, kProject };
const char* PluginSourceName(PluginSource source);

struct SearchDir {
  std::filesystem::path path;
  PluginSource source;
};

std::vector<SearchDir> PluginSearchDirs(const std::optional<std::filesystem::path>& project_dir);
std::filesystem::path UserPluginDir();

struct DiscoveredPlugin {
  std::string name;                      // From the manifest, else the directory name.
  std::filesystem::path manifest_path;
  PluginSource source;
  std::optional<PluginManifest> manifest;
  std::string manifest_sha256;           // Of the bytes `manifest` was parsed from.
  Status state;                          // Ok, or why the plugin is refused.
  bool checked = false;                  // Library hash and ELF checked.
  std::filesystem::path library_path() const {
    return manifest ? manifest_path.parent_path() / manifest->library : std::filesystem::path();
  }
};

std::vector<DiscoveredPlugin> DiscoverPlugins(const std::vector<SearchDir>& dirs);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_DISCOVERY_H_
