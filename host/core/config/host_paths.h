// Where berth looks for things on this machine.
#ifndef BERTH_HOST_CORE_CONFIG_HOST_PATHS_H_
#define BERTH_HOST_CORE_CONFIG_HOST_PATHS_H_

#include <filesystem>
#include <optional>
#include <string>

namespace berth::host {

std::filesystem::path ExecutableDir();
// $XDG_DATA_HOME/berth (default ~/.local/share/berth).
std::filesystem::path UserDataDir();
// $XDG_CONFIG_HOME/berth/config.yaml (default ~/.config/berth/config.yaml):
// the user's own settings, e.g. trusted-plugin-keys.
std::filesystem::path UserConfigFile();
// $XDG_CACHE_HOME/berth (default ~/.cache/berth): what berth may forget at
// any time. Empty when neither is set: a cache in / would be shared by
// every user without a home.
std::filesystem::path UserCacheDir();
// The directory of --config, else the nearest ancestor of the working
// directory holding berth.yaml or .berth/ that this user controls (see
// UntrustedProjectFile; the others are skipped with a warning naming them).
std::optional<std::filesystem::path> FindProjectDir(const std::filesystem::path& config_file);
std::optional<std::filesystem::path> FindProjectDirFrom(std::filesystem::path dir);

// Why a berth.yaml or .berth/ found while searching upwards is not this
// user's: owned by another user (not root), or in a directory anyone may
// write to that is not sticky. nullopt when it is fine.
std::optional<std::string> UntrustedProjectFile(const std::filesystem::path& candidate);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_HOST_PATHS_H_
