// The table of subcommands: the host's own, and plugins' added from their
// manifests (so `berth --help` lists them without loading any plugin).
#ifndef BERTH_HOST_CORE_CLI_COMMAND_TABLE_H_
#define BERTH_HOST_CORE_CLI_COMMAND_TABLE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "berth/command.h"
#include "berth/util/text.h"

namespace berth::host {

struct CommandEntry {
  std::string path;      // "plugin list"
  std::string summary;
  std::string plugin;    // Empty for the host's own commands.
  CommandSpec spec;      // Host commands only; a plugin's comes with the plugin.
  CommandFn run;         // Host commands only.
  // Options known only once plugins' manifests are read (the flags target
  // plugins declare); asked only when this command runs or shows its help.
  std::function<std::vector<OptionSpec>()> late_options;
};

struct CommandMatch {
  const CommandEntry* entry = nullptr;  // Null when the words name a group.
  size_t words_used = 0;
};

class CommandTable {
 public:
  void Add(CommandSpec spec, CommandFn run, std::function<std::vector<OptionSpec>()> late_options = {});
  void AddPluginCommand(const std::string& path, const std::string& summary, const std::string& plugin);

  // Longest registered path that prefixes `words`.
  CommandMatch Find(const std::vector<std::string>& words) const;
  // True when some command path starts with `prefix` + " ".
  bool IsGroup(const std::string& prefix) const;
  // Commands directly or indirectly under `prefix` ("" for all).
  std::vector<const CommandEntry*> Under(const std::string& prefix) const;
  // The closest known command word or path to `typed`, if any is close.
  std::optional<std::string> Suggest(const std::string& typed) const;

 private:
  std::vector<CommandEntry> entries_;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CLI_COMMAND_TABLE_H_
