#include "core/plugins/own_plugins.h"

#include "core/plugins/plugin_discovery.h"

namespace berth::host {

bool IsOwnPlugin(const DiscoveredPlugin& plugin, std::span<const OwnPlugin> own) {
  if (plugin.source != PluginSource::kBundled || !plugin.manifest || plugin.manifest_sha256.empty()) return false;
  for (const OwnPlugin& entry : own) {
    if (plugin.name == entry.name && plugin.manifest_sha256 == entry.manifest_sha256) return true;
  }
  return false;
}

}  // namespace berth::host
