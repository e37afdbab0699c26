// The project berth runs in, as the host read it: berth.yaml's directory and
// file, the service name, and the environment the command acts on. Plugins
// ask for it instead of parsing berth.yaml again.
#ifndef BERTH_PROJECT_H_
#define BERTH_PROJECT_H_

#include <filesystem>
#include <optional>
#include <string>

namespace berth {

struct ProjectContext {
  std::filesystem::path dir;    // berth.yaml's directory: relative paths in settings start here.
  std::filesystem::path file;   // berth.yaml itself.
  std::string service;
  std::string environment;      // The environment being acted on; empty when the command names none.
};

// nullopt when berth runs outside a project (or in a host that predates the
// "project.context" service). In the host's own code, also nullopt.
std::optional<ProjectContext> CurrentProject();

}  // namespace berth

#endif  // BERTH_PROJECT_H_
