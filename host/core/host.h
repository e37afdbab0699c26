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
#include "core/config/project_trust.h"

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

  // The settings of berth.yaml that need the project to be trusted (loads
  // the project).
  const std::vector<TrustNeed>& TrustNeeds();
  // Whether the user trusts the project as it is now: --trust,
  // BERTH_TRUST_PROJECT=1, or a `berth trust` record of these settings.
  TrustState ProjectTrust();
  // Call before a plugin is given the settings of berth.yaml under `fields`
  // ("environments.staging.target", "build", ...): unless the project is
  // trusted, refuses with one line per setting there that needs trust.
  // Settings under `replaced` (by the command line) are not berth.yaml's.
  // Throws Error(kInvalidInput).
  void RequireTrust(const std::vector<std::string>& fields, const std::vector<std::string>& replaced = {});

 private:
  std::optional<ProjectConfig> project_;
  std::vector<TrustNeed> trust_needs_;
  std::optional<TrustState> trust_state_;  // Read once a command needs it.
};

// Each group of host commands registers itself here (table-driven, as in
// ninja's tool table); cli.cc lists the groups.
using CommandGroupRegistration = void (*)(Host& host);
void RegisterMetaCommands(Host& host);
void RegisterPluginCommands(Host& host);
void RegisterPluginLockCommands(Host& host);
void RegisterPluginIndexCommands(Host& host);
void RegisterSecretsCommands(Host& host);
void RegisterDeployCommands(Host& host);
void RegisterRegistryCommands(Host& host);
void RegisterInitCommands(Host& host);
void RegisterSignCommands(Host& host);
void RegisterBuildCommands(Host& host);
void RegisterReleaseCommands(Host& host);
void RegisterPromoteCommands(Host& host);
void RegisterLedgerCommands(Host& host);
void RegisterTrustCommands(Host& host);

// Runs berth with argv; returns the exit code. `own_plugins` are the plugins
// this build ships (BerthOwnPlugins(), own_plugins.h).
int Main(int argc, char** argv, std::span<const OwnPlugin> own_plugins = {});

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_HOST_H_
