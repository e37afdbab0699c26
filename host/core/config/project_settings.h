// Plugin settings in berth.yaml checked against the schemas their plugins
// declare (berth/settings.h), from the manifests, before any plugin runs.
#ifndef BERTH_HOST_CORE_CONFIG_PROJECT_SETTINGS_H_
#define BERTH_HOST_CORE_CONFIG_PROJECT_SETTINGS_H_

#include <string>

#include "berth/plugin.h"
#include "berth/settings.h"
#include "core/config/credential_hosts.h"
#include "core/config/project_config.h"
#include "core/config/project_trust.h"
#include "core/config/provider_phrase.h"
#include "core/plugins/plugin_manager.h"

namespace berth::host {

// Where a block of `project` came from, for the settings check's messages.
SettingsOrigin OriginIn(const ProjectConfig& project, const SettingsSource& source, std::string owner);

// The installed plugins' schemas, from their manifests.
ProvidedSchemas InstalledSchemas(PluginManager& plugins);

// Normalizes, in place, every settings block whose provider is installed and
// declares a schema: environments' targets and secret stores, the signer,
// registries naming a plugin. A provider that is not installed is left for
// the command that uses it to report. Build settings are normalized when a
// builder is chosen; here only their CredentialHosts() values are checked,
// against every builder that could get them. Throws Error(kInvalidInput)
// "berth.yaml:LINE:COL: FIELD: PROBLEM (the NAME KIND)", also for a value
// whose host may not get the platform's credentials (credential_hosts.h).
void CheckProjectSettings(ProjectConfig& project, const ProvidedSchemas& schemas, CredentialHostCheck& hosts);
// The same with the installed plugins and the user's config file.
void CheckProjectSettings(ProjectConfig& project, PluginManager& plugins);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_PROJECT_SETTINGS_H_
