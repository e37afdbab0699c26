// The project berth runs in, as the host read it: berth.yaml's directory and
// file, the service name, and the environment the command acts on with its
// target and secret store settings (checked and normalized as a factory
// would get them). Plugins ask for it instead of parsing berth.yaml again.
#ifndef BERTH_PROJECT_H_
#define BERTH_PROJECT_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace berth {

struct ProjectContext {
  std::filesystem::path dir;    // berth.yaml's directory: relative paths in settings start here.
  std::filesystem::path file;   // berth.yaml itself.
  std::string service;
  std::string environment;      // The environment being acted on; empty when the command names none.
  std::vector<std::string> environments;  // Every environment berth.yaml defines.
  // Of `environment`, when berth.yaml defines it:
  std::string target;                   // Its target kind ("micros").
  nlohmann::json target_settings;       // The target block without `plugin`.
  std::string secret_store;             // Its secrets.store, if any.
  nlohmann::json secret_store_settings;
  std::vector<std::filesystem::path> secrets_from;  // Its secrets.from files, absolute.
};

// nullopt when berth runs outside a project (or in a host that predates the
// "project.context" service). In the host's own code, also nullopt.
// `environment` asks about that environment instead of the one the command
// acts on (a plugin command's --env).
std::optional<ProjectContext> CurrentProject(const std::string& environment = "");

}  // namespace berth

#endif  // BERTH_PROJECT_H_
