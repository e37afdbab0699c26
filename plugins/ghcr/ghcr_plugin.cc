// The ghcr plugin: GitHub Container Registry (ghcr.io, or a GitHub Enterprise
// host routed here by registries.yaml), its package versions, and GitHub
// Actions secrets as a secret store.
#include "actions_secret_store.h"
#include "berth/plugin.h"
#include "ghcr_commands.h"
#include "ghcr_registry.h"
#include "ghcr_schema.h"

namespace berth::ghcr {
namespace {

void Register(Registrar& registrar) {
  registrar.SetDescription("GitHub: the ghcr.io container registry, package versions and pruning, Actions secrets");
  registrar.AddRegistry("ghcr", "GitHub Container Registry: PAT or GITHUB_TOKEN, deletes through the Packages API", {kDefaultHost},
                        [](const nlohmann::json& settings) { return std::make_unique<GhcrRegistry>(GhcrSettings::Parse(settings)); },
                        GhcrSchema());
  registrar.AddSecretStore("github-actions", "GitHub Actions repository or environment secrets (sealed boxes)",
                           [](const nlohmann::json& settings) {
                             return std::make_unique<ActionsSecretStore>(GhcrSettings::Parse(settings));
                           },
                           GhcrSchema());
  RegisterCommands(registrar);
}

}  // namespace
}  // namespace berth::ghcr

BERTH_PLUGIN("ghcr", "1.0.0", berth::ghcr::Register)
