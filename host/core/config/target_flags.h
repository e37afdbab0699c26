// Command-line flags that target plugins declare for their settings
// (Setting::CommandLineFlag, x-berth-flag in the schema): `--kubeconfig` on
// deploy, status, history, rollback and url exists because the k8s target
// declares it, not because the host knows Kubernetes.
#ifndef BERTH_HOST_CORE_CONFIG_TARGET_FLAGS_H_
#define BERTH_HOST_CORE_CONFIG_TARGET_FLAGS_H_

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "berth/command.h"
#include "core/plugins/plugin_manager.h"

namespace berth::host {

// One option per flag the installed targets declare (from manifests only).
std::vector<OptionSpec> TargetFlagOptions(PluginManager& plugins);

// Puts the flags given in `args` into `settings` under their setting names.
// Throws Error(kUsage) for a flag the environment's target does not declare.
void ApplyTargetFlags(PluginManager& plugins, const std::string& target, const std::string& environment, const Args& args,
                      nlohmann::json& settings);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_TARGET_FLAGS_H_
