// .berth/plugins.lock: the plugins a project needs (berth.yaml `plugins:`),
// each pinned to the digest of its published artifact and to the key that
// signed it, so that `berth plugin sync` installs exactly that set on a
// teammate's laptop or a CI runner. Committed with the project; written by
// `berth plugin lock`, whole or not at all.
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_LOCK_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_LOCK_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace berth::host {

struct LockedPlugin {
  std::string name;
  std::string source;   // As berth.yaml writes it.
  std::string digest;   // Of the artifact's index: sha256:HEX.
  std::string version;
  std::string signer;   // sha256:<key fingerprint>.
  std::string signer_name;
};

std::filesystem::path PluginLockFile(const std::filesystem::path& project_dir);

// nullopt when the file is missing; Error(kInvalidInput) naming the file and
// the entry when it is malformed.
std::optional<std::vector<LockedPlugin>> ReadPluginLock(const std::filesystem::path& file);
void WritePluginLock(const std::filesystem::path& file, const std::vector<LockedPlugin>& plugins);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_LOCK_H_
