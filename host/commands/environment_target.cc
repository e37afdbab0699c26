#include "commands/environment_target.h"

#include "core/config/target_flags.h"

namespace berth::host {

namespace {

// berth.yaml's target settings with the command line's on top: --set
// KEY=VALUE, and the flags the target declares (k8s: --kubeconfig,
// --context, as kubectl spells them).
nlohmann::json TargetSettings(Host& host, const EnvironmentConfig& environment, const Args& args) {
  nlohmann::json settings = environment.target_settings.is_object() ? environment.target_settings : nlohmann::json::object();
  for (const auto& pair : args.GetAll("set")) {
    size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) throw Error(ErrorCode::kUsage, "--set expects KEY=VALUE, got '" + pair + "'");
    settings[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  ApplyTargetFlags(*host.plugins, environment.target, environment.name, args, settings);
  return settings;
}

}  // namespace

OpenedTarget Open(Host& host, CommandContext& context, Use use) {
  const ProjectConfig& project = host.Project();
  const EnvironmentConfig& environment = project.Environment(context.args.Get("environment"));
  nlohmann::json settings = TargetSettings(host, environment, context.args);
  const std::string target_field = "environments." + environment.name + ".target";
  std::vector<std::string> fields = {target_field};
  if (use == Use::kChange && project.signing && project.signing->required) fields.push_back("signing.settings");
  // A setting the user gave on the command line (--kubeconfig, --set) is
  // the user's, not the repository's.
  std::vector<std::string> replaced;
  for (const auto& [key, value] : environment.target_settings.items()) {
    if (settings.contains(key) && settings[key] != value) replaced.push_back(target_field + "." + key);
  }
  host.RequireTrust(fields, replaced);
  TargetQuery query{project.service, environment.name, settings};
  query.project_dir = project.dir;
  host.plugins->host_api().SetEnvironment(environment.name);
  auto target = context.services.OpenTarget(environment.target, settings).value();
  return {&environment, std::move(query), std::move(target)};
}

}  // namespace berth::host
