// Plugin settings in berth.yaml checked against the schemas their plugins
// declare (berth/settings.h), from the manifests, before any plugin runs.
#ifndef BERTH_HOST_CORE_CONFIG_PROJECT_SETTINGS_H_
#define BERTH_HOST_CORE_CONFIG_PROJECT_SETTINGS_H_

#include <string>

#include "berth/plugin.h"
#include "berth/settings.h"
#include "core/plugins/plugin_manager.h"
#include "core/config/project_config.h"
#include "core/config/provider_phrase.h"

namespace berth::host {

// Where a block of `project` came from, for the settings check's messages.
SettingsOrigin OriginIn(const ProjectConfig& project, const SettingsSource& source, std::string owner);

// Normalizes, in place, every settings block whose provider is installed and
// declares a schema: environments' targets and secret stores, the signer,
// registries naming a plugin. A provider that is not installed is left for
// the command that uses it to report. Throws Error(kInvalidInput)
// "berth.yaml:LINE:COL: FIELD: PROBLEM (the NAME KIND)".
void CheckProjectSettings(ProjectConfig& project, PluginManager& plugins);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_PROJECT_SETTINGS_H_
