// berth's own plugins: the ones this build of berth ships, which carry no
// signature. Under a policy that requires signatures
// (core/config/plugin_trust.h) they still load, and nothing else does
// unsigned.
//
// The build writes a table into the berth executable
// (cmake/BerthOwnPlugins.cmake): each bundled plugin's name and the sha256
// of its manifest, which binds the library's sha256 in turn. Bundled plugins
// are built with the RUNPATH they are installed with, so `cmake --install`
// copies both files byte for byte and the table holds in the build tree and
// in any prefix. A list compiled into the binary, rather than a file beside
// the plugins, cannot be extended by whoever may write into the install
// prefix (a CI image adding a plugin) without also replacing berth itself;
// and nothing is hashed that discovery did not hash already.
#ifndef BERTH_HOST_CORE_PLUGINS_OWN_PLUGINS_H_
#define BERTH_HOST_CORE_PLUGINS_OWN_PLUGINS_H_

#include <span>

namespace berth::host {

struct DiscoveredPlugin;  // plugin_discovery.h: the generated table includes nothing more.

struct OwnPlugin {
  const char* name;
  const char* manifest_sha256;  // Hex.
};

// The generated table; defined only in the berth executable (main.cc hands
// it to Main), so that the tests linking berth-core need no build of every
// plugin.
std::span<const OwnPlugin> BerthOwnPlugins();

// Whether `plugin` is one of `own`: found in a bundled directory (beside
// the binary or in the install prefix; not BERTH_PLUGIN_PATH, the user's or
// a project's), with a listed name and that entry's manifest sha256. Its
// library is compared with the manifest's sha256 by every Check and Load.
bool IsOwnPlugin(const DiscoveredPlugin& plugin, std::span<const OwnPlugin> own);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_OWN_PLUGINS_H_
