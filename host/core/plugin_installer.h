// `berth plugin install` and `remove`: every check happens before anything
// is copied, and the plugin appears in its final place by one rename.
#ifndef BERTH_HOST_CORE_PLUGIN_INSTALLER_H_
#define BERTH_HOST_CORE_PLUGIN_INSTALLER_H_

#include <filesystem>
#include <string>

#include "berth/manifest.h"

namespace berth::host {

struct InstallRequest {
  std::filesystem::path source;       // A plugin directory or a .tar.gz package of one.
  std::filesystem::path destination;  // The plugin root, e.g. ~/.local/share/berth/plugins.
  bool force = false;                 // Replace a different installed version.
};

struct InstallResult {
  PluginManifest manifest;
  std::filesystem::path path;          // The installed plugin directory.
  std::string replaced_version;        // Empty when nothing was there.
};

// Throws berth::Error naming the file and the problem.
InstallResult InstallPlugin(const InstallRequest& request);

// Removes destination/NAME. Throws Error(kNotFound) when it is not there.
std::filesystem::path RemovePlugin(const std::string& name, const std::filesystem::path& destination);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGIN_INSTALLER_H_
