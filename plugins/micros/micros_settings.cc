#include "micros_settings.h"

#include "berth/project.h"

#include <algorithm>
#include <regex>
#include <set>

#include "berth/error.h"
#include "berth/util/text.h"

namespace berth::micros {
namespace fs = std::filesystem;
namespace {

class SettingsReader {
 public:
  SettingsReader(const nlohmann::json& settings, std::string what) : settings_(settings), what_(std::move(what)) {
    if (!settings_.is_object()) throw Error(ErrorCode::kInvalidInput, what_ + " settings must be a mapping");
  }

  Error Bad(const std::string& key, const std::string& problem) const {
    return Error(ErrorCode::kInvalidInput, what_ + " setting '" + key + "' " + problem);
  }

  bool Has(const std::string& key) const { return settings_.contains(key); }
  const nlohmann::json& At(const std::string& key) const { return settings_.at(key); }

  std::string String(const std::string& key, const std::string& fallback) const {
    if (!Has(key)) return fallback;
    const auto& value = settings_.at(key);
    if (!value.is_string() || value.get<std::string>().empty()) throw Bad(key, "must be a non-empty string");
    return value.get<std::string>();
  }

  bool Bool(const std::string& key, bool fallback) const {
    if (!Has(key)) return fallback;
    if (!settings_.at(key).is_boolean()) throw Bad(key, "must be true or false");
    return settings_.at(key).get<bool>();
  }

  std::chrono::seconds Seconds(const std::string& key, std::chrono::seconds fallback) const {
    if (!Has(key)) return fallback;
    const auto& value = settings_.at(key);
    if (value.is_number_integer() && value.get<long long>() > 0) return std::chrono::seconds(value.get<long long>());
    std::smatch match;
    std::string text = value.is_string() ? value.get<std::string>() : "";
    if (!std::regex_match(text, match, std::regex("([0-9]{1,7})(s|m|h)?")) || std::stoll(match[1]) == 0) {
      throw Bad(key, "must be a duration like 90s, 5m or 1h");
    }
    long long seconds = std::stoll(match[1]);
    if (match[2] == "m") seconds *= 60;
    if (match[2] == "h") seconds *= 3600;
    return std::chrono::seconds(seconds);
  }

 private:
  const nlohmann::json& settings_;
  std::string what_;
};

// A scalar as the text it would have in YAML.
std::optional<std::string> ScalarText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  return std::nullopt;
}

const std::regex kVariableName("[A-Za-z_][A-Za-z0-9_]*");
const std::regex kStashKey("[A-Za-z0-9_.-]+");
const std::regex kPort("[0-9]{1,5}(:[0-9]{1,5})?(/(tcp|udp))?");

}  // namespace

bool IsMicrosName(const std::string& name) {
  static const std::regex kName("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  return std::regex_match(name, kName);
}

MicrosSettings MicrosSettings::Parse(const nlohmann::json& json, const std::string& default_service,
                                     const std::string& default_env) {
  // Keys and plain types were checked by the host (micros_schema.cc); what
  // is checked here is what Micros itself requires of the values.
  SettingsReader reader(json, "micros target");
  MicrosSettings settings;
  settings.service = reader.String("service", default_service);
  settings.env = reader.String("env", default_env);
  if (!IsMicrosName(settings.service)) {
    throw reader.Bad("service", "'" + settings.service + "' is not a Micros service name (lowercase letters, digits, '-')");
  }
  if (!IsMicrosName(settings.env)) {
    throw reader.Bad("env", "'" + settings.env + "' is not a Micros environment name (lowercase letters, digits, '-'); "
                            "map this berth environment with target.env");
  }
  settings.atlas = reader.String("atlas", settings.atlas);
  settings.atlas_timeout = reader.Seconds("atlas_timeout", settings.atlas_timeout);
  settings.create_service = reader.Bool("create_service", settings.create_service);
  settings.service_discovery = reader.Bool("service_discovery", settings.service_discovery);
  if (reader.Has("descriptor")) {
    settings.descriptor_template = reader.String("descriptor", "");
    settings.template_explicit = true;
  }
  settings.health_path = reader.String("health_path", settings.health_path);
  if (settings.health_path[0] != '/') throw reader.Bad("health_path", "must start with '/'");
  settings.container = reader.String("container", settings.container);
  if (!IsMicrosName(settings.container)) throw reader.Bad("container", "must be lowercase letters, digits and '-'");
  if (reader.Has("ports")) {
    const auto& ports = reader.At("ports");
    if (!ports.is_array()) throw reader.Bad("ports", "must be a list like [\"8080:8080\"]");
    settings.ports.clear();
    for (const auto& port : ports) {
      auto text = ScalarText(port);
      if (!text || !std::regex_match(*text, kPort)) throw reader.Bad("ports", "entries must look like 8080 or \"8080:8080\"");
      settings.ports.push_back(*text);
    }
  }
  if (reader.Has("environment")) {
    const auto& environment = reader.At("environment");
    if (!environment.is_object()) throw reader.Bad("environment", "must be a mapping of NAME: value");
    for (const auto& [name, value] : environment.items()) {
      auto text = ScalarText(value);
      if (!std::regex_match(name, kVariableName)) throw reader.Bad("environment", "has an invalid variable name '" + name + "'");
      if (!text) throw reader.Bad("environment", "value of " + name + " must be a string, number or boolean");
      settings.environment[name] = *text;
    }
  }
  if (reader.Has("secrets")) {
    const auto& secrets = reader.At("secrets");
    auto add = [&](const std::string& variable, const nlohmann::json& key) {
      if (!key.is_string() || !std::regex_match(key.get<std::string>(), kStashKey)) {
        throw reader.Bad("secrets", "stash keys must be letters, digits, '_', '.' or '-'");
      }
      if (!std::regex_match(variable, kVariableName)) throw reader.Bad("secrets", "has an invalid variable name '" + variable + "'");
      if (settings.environment.count(variable)) throw reader.Bad("secrets", "variable " + variable + " is also in 'environment'");
      settings.secrets[variable] = key.get<std::string>();
    };
    if (secrets.is_array()) {
      for (const auto& key : secrets) add(key.is_string() ? key.get<std::string>() : "", key);
    } else if (secrets.is_object()) {
      for (const auto& [variable, key] : secrets.items()) add(variable, key);
    } else {
      throw reader.Bad("secrets", "must be a list of stash keys or a mapping VARIABLE: KEY");
    }
  }
  if (reader.Has("scaling")) {
    const auto& scaling = reader.At("scaling");
    if (!scaling.is_object()) throw reader.Bad("scaling", "must be a mapping {min, max, instance}");
    for (const auto& [key, value] : scaling.items()) {
      if (key == "min" || key == "max") {
        if (!value.is_number_integer() || value.get<long long>() < 0 || value.get<long long>() > 1000) {
          throw reader.Bad("scaling." + key, "must be a whole number from 0 to 1000");
        }
        (key == "min" ? settings.scaling.min : settings.scaling.max) = value.get<int>();
      } else if (key == "instance") {
        if (!value.is_string()) throw reader.Bad("scaling.instance", "must be a string");
        settings.scaling.instance = value.get<std::string>();
      } else {
        throw reader.Bad("scaling", "has an unknown field '" + key + "' (min, max, instance)");
      }
    }
    if (settings.scaling.min > settings.scaling.max) throw reader.Bad("scaling", "min is greater than max");
  }
  settings.description = reader.String("description", "");
  settings.organization = reader.String("organization", "");
  settings.notifications_email = reader.String("notifications_email", "");
  settings.source_url = reader.String("source_url", "");
  return settings;
}

std::optional<fs::path> MicrosSettings::TemplateIn(const fs::path& project_dir) const {
  fs::path base = project_dir.empty() ? fs::current_path() : project_dir;
  if (template_explicit) return descriptor_template.is_absolute() ? descriptor_template : base / descriptor_template;
  fs::path fallback = base / kDefaultTemplate;
  if (fs::exists(fallback)) return fallback;
  return std::nullopt;
}

StashSettings StashSettings::Parse(const nlohmann::json& json) {
  SettingsReader reader(json, "micros-stash");
  StashSettings settings;
  // The service defaults to the project's (berth.yaml's `service`).
  std::optional<ProjectContext> project = CurrentProject();
  if (!reader.Has("service") && !(project && !project->service.empty())) {
    throw Error(ErrorCode::kInvalidInput,
                "micros-stash needs a service: run it in a project with berth.yaml's service, or set "
                "environments.ENV.secrets.settings.service (or --setting service=NAME)");
  }
  settings.service = reader.String("service", project ? project->service : "");
  if (!IsMicrosName(settings.service)) {
    throw reader.Bad("service", "'" + settings.service + "' is not a Micros service name (lowercase letters, digits, '-')");
  }
  if (reader.Has("env")) {
    settings.env = reader.String("env", "");
    if (!IsMicrosName(*settings.env)) throw reader.Bad("env", "'" + *settings.env + "' is not a Micros environment name");
  }
  settings.atlas = reader.String("atlas", settings.atlas);
  settings.atlas_timeout = reader.Seconds("atlas_timeout", settings.atlas_timeout);
  settings.create_service = reader.Bool("create_service", settings.create_service);
  return settings;
}

}  // namespace berth::micros
