// The keys of berth's own config files: the user's
// ($XDG_CONFIG_HOME/berth/config.yaml) and the system's
// (/etc/berth/config.yaml, <prefix>/etc/berth/config.yaml; plugin_trust.h).
// Each reader takes only its own key, so without this check a misspelt key
// (`trusted_plugin_keys`, `require_signatures`) is ignored and the user or
// the administrator never learns why their keys, hosts or policy have no
// effect.
#ifndef BERTH_HOST_CORE_CONFIG_USER_CONFIG_KEYS_H_
#define BERTH_HOST_CORE_CONFIG_USER_CONFIG_KEYS_H_

#include <yaml-cpp/yaml.h>

#include <filesystem>

namespace berth::host {

enum class ConfigScope { kUser, kSystem };

// Warns (once per file and run) about each key berth does not know, at the
// top level and inside plugin-policy, with the nearest known one; a key only
// the other scope reads (credential-hosts in a system file) says so.
void WarnUnknownConfigKeys(const YAML::Node& root, const std::filesystem::path& file, ConfigScope scope);
inline void WarnUnknownUserConfigKeys(const YAML::Node& root, const std::filesystem::path& file) {
  WarnUnknownConfigKeys(root, file, ConfigScope::kUser);
}

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_USER_CONFIG_KEYS_H_
