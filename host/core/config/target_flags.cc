#include "core/config/target_flags.h"

#include <map>
#include <set>

#include "berth/util/text.h"

namespace berth::host {
namespace {

struct TargetFlag {
  std::string setting;
  std::string description;
  std::set<std::string> targets;  // The target kinds declaring it.
};

// By flag name. Two targets may declare the same flag for settings of
// different names; each target's own name is looked up when applying.
std::map<std::string, TargetFlag> Flags(PluginManager& plugins) {
  std::map<std::string, TargetFlag> flags;
  for (const auto& plugin : plugins.Plugins()) {
    if (!plugin.manifest) continue;
    for (const auto& provision : plugin.manifest->provides) {
      if (provision.kind != ProvidedKind::kTarget || !provision.settings.is_object()) continue;
      const nlohmann::json properties = provision.settings.value("properties", nlohmann::json::object());
      for (const auto& [name, setting] : properties.items()) {
        if (!setting.contains("x-berth-flag") || !setting["x-berth-flag"].is_string()) continue;
        TargetFlag& flag = flags[setting["x-berth-flag"].get<std::string>()];
        if (flag.setting.empty()) flag = {name, setting.value("description", ""), {}};
        flag.targets.insert(provision.name);
      }
    }
  }
  return flags;
}

}  // namespace

std::vector<OptionSpec> TargetFlagOptions(PluginManager& plugins) {
  std::vector<OptionSpec> options;
  for (const auto& [flag, declared] : Flags(plugins)) {
    std::string help = declared.description.empty() ? "Target setting " + declared.setting : declared.description;
    options.push_back({.name = flag, .help = help + " [" + Join(declared.targets, ", ") + " targets]", .value_name = "VALUE"});
  }
  return options;
}

void ApplyTargetFlags(PluginManager& plugins, const std::string& target, const std::string& environment, const Args& args,
                      nlohmann::json& settings) {
  for (const auto& [flag, declared] : Flags(plugins)) {
    auto value = args.GetOptional(flag);
    if (!value) continue;
    if (!declared.targets.count(target)) {
      throw Error(ErrorCode::kUsage, "--" + flag + " is a setting of " + Join(declared.targets, ", ") + " targets; environment '" +
                                         environment + "' deploys with " + target);
    }
    // The target's own setting name for this flag.
    DiscoveredPlugin* provider = plugins.FindProvider(ProvidedKind::kTarget, target);
    for (const auto& provision : provider->manifest->provides) {
      if (provision.kind != ProvidedKind::kTarget || provision.name != target) continue;
      const nlohmann::json properties = provision.settings.value("properties", nlohmann::json::object());
      for (const auto& [name, setting] : properties.items()) {
        if (setting.value("x-berth-flag", "") == flag) settings[name] = *value;
      }
    }
  }
}

}  // namespace berth::host
