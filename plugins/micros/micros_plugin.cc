// The micros plugin: Atlassian Micros as a deploy target (through the atlas
// CLI), the Micros stash as a secret store, and commands for service
// descriptors, the app-<version> tag and Artifactory credentials.
#include "artifactory.h"
#include "artifactory_registry.h"
#include "berth/plugin.h"
#include "micros_commands.h"
#include "micros_schema.h"
#include "micros_target.h"
#include "stash_store.h"

namespace berth::micros {
namespace {

void Register(Registrar& registrar) {
  registrar.SetDescription("Atlassian Micros: deploys through the atlas CLI, stash secrets, service descriptors, the Artifactory registry");
  registrar.AddTarget("micros", "Atlassian Micros, driven through the atlas CLI",
                      [](const nlohmann::json& settings) { return std::make_unique<MicrosTarget>(settings); }, TargetSchema());
  registrar.AddRegistry("micros", "Artifactory's docker registry: staff id + identity token, app-<version> tags",
                        {kDefaultRegistryHost},
                        [](const nlohmann::json&) { return std::make_unique<ArtifactoryRegistry>(DefaultCredentialSources()); });
  registrar.AddSecretStore("micros-stash", "Micros stash entries, set through atlas with 0600 temporary files",
                           [](const nlohmann::json& settings) { return std::make_unique<StashStore>(StashSettings::Parse(settings)); },
                           StashSchema());
  RegisterCommands(registrar);
}

}  // namespace
}  // namespace berth::micros

BERTH_PLUGIN("micros", "1.0.0", berth::micros::Register)
