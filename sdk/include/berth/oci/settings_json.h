// A registry's settings as JSON, so that a plugin's registry client gets the
// very settings the host chose for that registry (the user's registries.yaml
// and the command's flags).
#ifndef BERTH_OCI_SETTINGS_JSON_H_
#define BERTH_OCI_SETTINGS_JSON_H_

#include <nlohmann/json.hpp>

#include "berth/oci/settings.h"

namespace berth::oci {

nlohmann::json SettingsToJson(const RegistrySettings& settings);
RegistrySettings SettingsFromJson(const nlohmann::json& json);

}  // namespace berth::oci

#endif  // BERTH_OCI_SETTINGS_JSON_H_
