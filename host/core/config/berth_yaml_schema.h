// A JSON Schema (draft 2020-12) of berth.yaml: berth's own fields, and for
// each installed plugin the settings it declares, chosen by the block's
// plugin name. `berth schema` prints it so that editors validate and
// complete berth.yaml (yaml-language-server: $schema=...).
#ifndef BERTH_HOST_CORE_CONFIG_BERTH_YAML_SCHEMA_H_
#define BERTH_HOST_CORE_CONFIG_BERTH_YAML_SCHEMA_H_

#include <nlohmann/json.hpp>

#include "core/plugins/plugin_manager.h"

namespace berth::host {

// Reads manifests only: no plugin code runs.
nlohmann::json BerthYamlSchema(PluginManager& plugins);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_BERTH_YAML_SCHEMA_H_
