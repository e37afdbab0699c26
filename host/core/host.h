// The state of one berth run that the host's own commands share.
#ifndef BERTH_HOST_CORE_HOST_H_
#define BERTH_HOST_CORE_HOST_H_

#include <filesystem>
#include <memory>
#include <optional>

#include "core/cli/command_table.h"
#include "core/cli/option_parser.h"
#include "core/plugins/plugin_manager.h"
#include "core/config/project_config.h"

namespace berth::host {

struct Host {
  GlobalOptions globals;
  std::optional<std::filesystem::path> project_dir;
  std::unique_ptr<PluginManager> plugins;
  CommandTable table;

  // berth.yaml, loaded on first use. Throws Error(kInvalidInput) when there
  // is none or it is malformed.
  const ProjectConfig& Project();
  bool HasProject() const;

 private:
  std::optional<ProjectConfig> project_;
};

// Each group of host commands registers itself here (table-driven, as in
// ninja's tool table); cli.cc lists the groups.
using CommandGroupRegistration = void (*)(Host& host);
void RegisterMetaCommands(Host& host);
void RegisterPluginCommands(Host& host);
void RegisterSecretsCommands(Host& host);
void RegisterDeployCommands(Host& host);
void RegisterRegistryCommands(Host& host);
void RegisterInitCommands(Host& host);
void RegisterSignCommands(Host& host);
void RegisterBuildCommands(Host& host);
void RegisterReleaseCommands(Host& host);

// Runs berth with argv; returns the exit code.
int Main(int argc, char** argv);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_HOST_H_
