// berth version, schema and completion.
#include <iostream>

#include "berth/abi/berth_plugin_api.h"
#include "berth/version.h"
#include "berth/output.h"
#include "core/config/berth_yaml_schema.h"
#include "core/host.h"

namespace berth::host {
namespace {

int RunVersion(CommandContext& context) {
  nlohmann::json info = {{"version", BERTH_SDK_VERSION},
                         {"abi_major", BERTH_ABI_MAJOR},
                         {"abi_minor", BERTH_ABI_MINOR}};
  context.output.Emit(info);
  return 0;
}

// Bash completion from the command table, plugins' commands included.
int RunCompletion(Host& host, CommandContext& context) {
  std::string shell = context.args.GetOr("shell", "bash");
  if (shell != "bash") throw Error(ErrorCode::kUsage, "only bash completion is available (got '" + shell + "')");
  for (const auto& plugin : host.plugins->Plugins()) {
    if (!plugin.manifest) continue;
    for (const auto& command : plugin.manifest->commands) host.table.AddPluginCommand(command.path, command.summary, plugin.name);
  }
  std::string words;
  for (const CommandEntry* entry : host.table.Under("")) words += entry->path + "\n";
  std::ostream& out = context.output.stream();
  out << "# berth bash completion: source <(berth completion bash)\n"
         "_berth_commands='"
      << words
      << "'\n"
         "_berth() {\n"
         "  local typed=\"${COMP_WORDS[*]:1:COMP_CWORD-1}\"\n"
         "  local next=$(printf '%s\\n' \"$_berth_commands\" | while read -r path; do\n"
         "    [ -z \"$typed\" ] && { echo \"${path%% *}\"; continue; }\n"
         "    case \"$path\" in \"$typed \"*) rest=${path#\"$typed \"}; echo \"${rest%% *}\";; esac; done | sort -u)\n"
         "  COMPREPLY=($(compgen -W \"$next\" -- \"${COMP_WORDS[COMP_CWORD]}\"))\n"
         "}\n"
         "complete -F _berth berth\n";
  return 0;
}

// The schema is a document, not a result: the same JSON whatever -o says.
int RunSchema(Host& host, CommandContext& context) {
  context.output.stream() << BerthYamlSchema(*host.plugins).dump(2) << "\n";
  return 0;
}

}  // namespace

void RegisterMetaCommands(Host& host) {
  host.table.Add({.path = "version", .summary = "Show berth's version and its plugin ABI major and minor versions"}, RunVersion);
  host.table.Add({.path = "schema",
                  .summary = "Print a JSON Schema of berth.yaml, with the settings of the installed plugins",
                  .description = "For editors: berth schema > berth.schema.json, then put\n"
                                 "  # yaml-language-server: $schema=berth.schema.json\n"
                                 "at the top of berth.yaml. Only plugin manifests are read; no plugin code runs."},
                 [&host](CommandContext& context) { return RunSchema(host, context); });
  host.table.Add({.path = "completion",
                  .summary = "Print a shell completion script",
                  .options = {{.name = "shell", .help = "Shell (bash)", .value_name = "SHELL", .position = 1}}},
                 [&host](CommandContext& context) { return RunCompletion(host, context); });
}

}  // namespace berth::host
