// A plugin index: the document a platform team publishes so that its users
// can `berth plugin search` and `berth plugin install NAME[@VERSION]`
// instead of passing registry references around (krew's index, Terraform's
// provider registry). It lists plugins, each with its versions, and each
// version names its published artifact by digest, so that a signature over
// the index covers the bytes every install from it gets.
//
//   {"schema": "berth.plugin-index.v1", "serial": 7,
//    "plugins": [{"name": "echo", "description": "...",
//                 "versions": [{"version": "1.2.0",
//                               "artifact": "HOST/REPO:1.2.0@sha256:...",
//                               "abi_majors": [2]}]}]}
//
// "serial" only grows: an update that offers a lower one is an old index
// replayed, and is refused. "abi_majors" (optional) lets berth skip
// versions this berth cannot load without fetching them.
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_INDEX_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_INDEX_H_

#include <cstdint>
#include <string>
#include <vector>

namespace berth::host {

inline constexpr char kPluginIndexSchema[] = "berth.plugin-index.v1";

struct IndexedVersion {
  std::string version;
  std::string artifact;         // A registry reference with a digest.
  std::vector<int> abi_majors;  // Empty: not said.
};

struct IndexedPlugin {
  std::string name;
  std::string description;
  std::vector<IndexedVersion> versions;
};

struct PluginIndexDocument {
  int64_t serial = 0;
  std::vector<IndexedPlugin> plugins;

  const IndexedPlugin* Find(const std::string& name) const;
  IndexedPlugin& FindOrAdd(const std::string& name);
};

// Throws Error(kInvalidInput) naming `where` and the field.
PluginIndexDocument ParsePluginIndex(const std::string& bytes, const std::string& where);
// Plugins and versions in a stable order, so that rebuilding an index that
// did not change gives the same bytes (and signature).
std::string SerializePluginIndex(PluginIndexDocument index);

// The newest release (not pre-release) this berth's ABI can load, or the
// one named; nullptr when there is none.
const IndexedVersion* NewestVersion(const IndexedPlugin& plugin, int abi_major);
const IndexedVersion* FindVersion(const IndexedPlugin& plugin, const std::string& version);

// What an index signature covers: the document's sha256 under a label of its
// own, so a plugin package's signature can never pass for an index's.
std::string PluginIndexStatement(const std::string& bytes);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_INDEX_H_
