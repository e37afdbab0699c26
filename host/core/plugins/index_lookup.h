// `berth plugin install [INDEX/]NAME[@VERSION]`: finding a plugin in the
// indexes the user added, without going to the network.
#ifndef BERTH_HOST_CORE_PLUGINS_INDEX_LOOKUP_H_
#define BERTH_HOST_CORE_PLUGINS_INDEX_LOOKUP_H_

#include <optional>
#include <string>

#include "core/plugins/index_store.h"
#include "core/plugins/plugin_index.h"

namespace berth::host {

struct IndexSpec {
  std::string index;    // Empty: any index that has the plugin.
  std::string name;
  std::string version;  // Empty: the newest this berth can load.
};

// nullopt when `text` is not of the form [INDEX/]NAME[@VERSION].
std::optional<IndexSpec> ParseIndexSpec(const std::string& text);

struct IndexEntry {
  RegisteredIndex index;
  IndexedPlugin plugin;
  IndexedVersion version;
};

// Throws Error(kNotFound) with one line saying what is missing (no index,
// no such plugin, no such version, nothing this ABI loads) or
// Error(kUsage) when several indexes have the plugin and none was named.
IndexEntry ResolveIndexEntry(const IndexStore& store, const IndexSpec& spec, int abi_major);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_INDEX_LOOKUP_H_
