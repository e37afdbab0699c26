// An environment's `target:` block for the micros plugin (berth.yaml), and
// the `settings:` of a micros-stash secret store, checked once up front so
// that a typo fails before atlas runs.
#ifndef BERTH_PLUGINS_MICROS_MICROS_SETTINGS_H_
#define BERTH_PLUGINS_MICROS_MICROS_SETTINGS_H_

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::micros {

inline constexpr char kDefaultTemplate[] = "service-descriptor.tmpl.yml";

struct Scaling {
  int min = 1;
  int max = 1;
  std::string instance;            // Empty: Micros' default instance type.
};

struct MicrosSettings {
  std::string service;             // The Micros service (default: berth.yaml's service).
  std::string env;                 // The Micros environment (default: the berth environment's name).
  std::string atlas = "atlas";     // Path, or a name looked up on PATH.
  std::chrono::seconds atlas_timeout{120};  // For atlas calls other than the deploy itself.
  bool create_service = true;      // `service create --no-sd` when the service does not exist.
  bool service_discovery = false;  // Register the new service in service discovery (no --no-sd).

  // A template file (relative to berth.yaml's directory); empty: the default
  // file when it exists, else the inline descriptor built from the rest.
  std::filesystem::path descriptor_template;
  bool template_explicit = false;

  // The inline descriptor.
  std::string health_path = "/api/health";
  std::string container = "app";
  std::vector<std::string> ports = {"8080:8080"};
  std::map<std::string, std::string> environment;  // Plain variables.
  std::map<std::string, std::string> secrets;      // Variable -> stash key, rendered as ((ssm:/SERVICE/KEY)).
  Scaling scaling;
  std::string description;
  std::string organization;
  std::string notifications_email;
  std::string source_url;

  // Throws Error(kInvalidInput) "micros target setting 'x': ..." naming the
  // setting, with a suggestion for unknown names.
  static MicrosSettings Parse(const nlohmann::json& settings, const std::string& default_service,
                              const std::string& default_env);

  // The template to render, resolved against the project directory; nullopt:
  // the inline descriptor.
  std::optional<std::filesystem::path> TemplateIn(const std::filesystem::path& project_dir) const;
};

// A micros-stash store's settings: `service` (required), `env` (default:
// the berth environment), `atlas`, `atlas_timeout`, `create_service`.
struct StashSettings {
  std::string service;
  std::optional<std::string> env;
  std::string atlas = "atlas";
  std::chrono::seconds atlas_timeout{120};
  // Secrets come before the first deploy (the descriptor refers to them), so
  // a missing service is created (--no-sd) on the first set.
  bool create_service = true;

  static StashSettings Parse(const nlohmann::json& settings);
};

// Micros names (services, environments) are lowercase DNS labels.
bool IsMicrosName(const std::string& name);

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_MICROS_SETTINGS_H_
