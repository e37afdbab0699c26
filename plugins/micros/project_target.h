// What `berth micros descriptor render` needs from berth.yaml: the service and
// one environment's micros target block. Deploys get the same through the
// host's TargetQuery; a plugin subcommand reads the file the host found (it
// passes --config / the project directory along).
#ifndef BERTH_PLUGINS_MICROS_PROJECT_TARGET_H_
#define BERTH_PLUGINS_MICROS_PROJECT_TARGET_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace berth::micros {

struct ProjectTarget {
  std::string service;
  std::string environment;
  nlohmann::json settings = nlohmann::json::object();  // The target block without `plugin`.
  std::filesystem::path project_dir;
};

// Throws Error(kInvalidInput) "berth.yaml:LINE:COL: ..." when the file, the
// environment or its micros target is missing or malformed.
ProjectTarget LoadProjectTarget(const std::filesystem::path& file, const std::string& environment);

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_PROJECT_TARGET_H_
