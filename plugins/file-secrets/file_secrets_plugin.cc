// The file-secrets plugin: berth's local default secret store, and the
// example docs/plugin-sdk.md walks through.
#include "berth/plugin.h"
#include "file_secrets_commands.h"
#include "file_store.h"

namespace berth::file_secrets {
namespace {

void Register(Registrar& registrar) {
  registrar.SetDescription("Local secrets: one 0600 JSON file per environment");
  registrar.AddSecretStore("file", "One 0600 JSON file per environment, replaced atomically",
                           [](const nlohmann::json& settings) {
                             return std::make_unique<FileStore>(FileStore::DirFromSettings(settings));
                           },
                           SettingsSchema{{"dir", Setting::Path("Store directory (default: $XDG_DATA_HOME/berth/secrets)")}});
  RegisterCommands(registrar);
}

}  // namespace
}  // namespace berth::file_secrets

BERTH_PLUGIN("file-secrets", "1.0.0", berth::file_secrets::Register)
