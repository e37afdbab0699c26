// The keys of the user's own berth config ($XDG_CONFIG_HOME/berth/config.yaml).
// Each reader takes only its own key, so without this check a misspelt key
// (`trusted_plugin_keys`) is ignored and the user never learns why their
// keys or hosts have no effect.
#ifndef BERTH_HOST_CORE_CONFIG_USER_CONFIG_KEYS_H_
#define BERTH_HOST_CORE_CONFIG_USER_CONFIG_KEYS_H_

#include <yaml-cpp/yaml.h>

#include <filesystem>

namespace berth::host {

// Warns (once per file and run) about each top-level key berth does not
// know, with the nearest known one.
void WarnUnknownUserConfigKeys(const YAML::Node& root, const std::filesystem::path& file);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_USER_CONFIG_KEYS_H_
