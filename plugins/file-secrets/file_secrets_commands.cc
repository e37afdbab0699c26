#include "file_secrets_commands.h"

#include "berth/output.h"
#include "file_store.h"

namespace berth::file_secrets {
namespace {

nlohmann::json SettingsFrom(const CommandContext& context) {
  nlohmann::json settings = nlohmann::json::object();
  if (auto dir = context.args.GetOptional("dir")) settings["dir"] = *dir;
  return settings;
}

// `berth file-secrets where ENV`: the file an environment's secrets live in,
// and how many there are; never the values.
int RunWhere(CommandContext& context) {
  FileStore store(FileStore::DirFromSettings(SettingsFrom(context)));
  std::string environment = context.args.Get("environment");
  auto names = store.List(environment).value();
  context.output.Emit({{"environment", environment}, {"file", store.FileFor(environment).string()}, {"secrets", names.size()}});
  return 0;
}

}  // namespace

void RegisterCommands(Registrar& registrar) {
  registrar.AddCommand(
      CommandSpec{.path = "file-secrets where",
                  .summary = "Show the file holding an environment's secrets and how many it holds",
                  .options = {{.name = "environment", .help = "Environment", .value_name = "ENV", .required = true, .position = 1},
                              {.name = "dir", .help = "Store directory (default: $XDG_DATA_HOME/berth/secrets)", .value_name = "DIR"}}},
      RunWhere);
}

}  // namespace berth::file_secrets
