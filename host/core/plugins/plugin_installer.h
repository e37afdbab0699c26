// `berth plugin install` and `remove`: every check happens before anything
// is copied, and the plugin appears in its final place by one rename.
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_INSTALLER_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_INSTALLER_H_

#include <filesystem>
#include <string>

#include "berth/manifest.h"
#include "core/plugins/plugin_discovery.h"
#include "core/plugins/plugin_signature.h"
#include "core/plugins/signature_candidates.h"

namespace berth::host {

struct InstallRequest {
  std::filesystem::path source;       // A plugin directory or a .tar.gz package of one.
  std::filesystem::path destination;  // The plugin root, e.g. ~/.local/share/berth/plugins.
  bool force = false;                 // Replace a different installed version, or another signer's plugin.
  bool replace_version = false;       // Replace a different installed version, but only with the same signer's (upgrade).
  bool allow_unsigned = false;        // Install a package without a signature (recorded as unsigned).
  std::filesystem::path signature;    // Empty: berth-plugin.sig in the plugin directory.
  std::vector<TrustedKey> trusted;    // Keys whose signatures are accepted.
  // Signatures beside the package (a published plugin's referrers), asked
  // for when its own is missing or does not verify; not with `signature`.
  MoreSignatures more_signatures;
  std::string what;                   // How messages name the package; empty: source.
  std::filesystem::path record;       // The installed-plugins record; empty: InstallRecordFile().
  // The other places berth looks for plugins: a plugin of the same name in
  // one of them would make berth refuse both, so the install is refused.
  std::vector<SearchDir> other_dirs;
  // Recorded with the install: the index it came from, the version pinned,
  // the artifact (see InstalledPlugin).
  std::string index, pinned_version, artifact;
};

struct InstallResult {
  PluginManifest manifest;
  std::filesystem::path path;          // The installed plugin directory.
  std::string replaced_version;        // Empty when nothing was there.
  std::string signer;                  // "sha256:<fingerprint>" or "unsigned".
  std::string signer_name;
  std::string signature_referrer;      // The referrer whose signature verified; "" for the package's own.
};

// Throws berth::Error naming the file and the problem.
InstallResult InstallPlugin(const InstallRequest& request);

// Unpacks a .tar.gz plugin package into `into`; returns the plugin directory
// inside it. Throws Error(kInvalidInput) naming the package.
std::filesystem::path UnpackPluginPackage(const std::filesystem::path& package, const std::filesystem::path& into);

// Removes destination/NAME. Throws Error(kNotFound) when it is not there.
std::filesystem::path RemovePlugin(const std::string& name, const std::filesystem::path& destination,
                                   const std::filesystem::path& record = {});

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_INSTALLER_H_
