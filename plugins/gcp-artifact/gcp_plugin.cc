// The gcp-artifact plugin: Google Artifact Registry's docker endpoints as a
// registry (Google credentials, naming rules), Secret Manager as the
// gcp-secret-manager secret store, and `berth gcp images|whoami`.
#include "artifact_registry.h"
#include "berth/plugin.h"
#include "gcp_commands.h"
#include "gcp_schema.h"
#include "google_api.h"
#include "secret_manager_store.h"

namespace berth::gcp {
namespace {

void Register(Registrar& registrar) {
  registrar.SetDescription("Google Artifact Registry (docker) with Google credentials, and Secret Manager as a secret store");
  registrar.AddRegistry("gcp-artifact", "Artifact Registry: oauth2accesstoken + a Google access token, PROJECT/REPOSITORY/IMAGE names",
                        {"*-docker.pkg.dev"}, [](const nlohmann::json& settings) {
                          return std::make_unique<ArtifactRegistry>(
                              std::make_shared<CredentialChain>(GcpSettings::Parse(settings, "gcp-artifact registry settings")));
                        },
                        GcpSchema());
  registrar.AddSecretStore("gcp-secret-manager", "Google Secret Manager: one secret per name, a new version per set",
                           [](const nlohmann::json& settings) {
                             GcpSettings parsed = GcpSettings::Parse(settings, "gcp-secret-manager settings");
                             auto api = std::make_shared<GoogleApi>(std::make_shared<CredentialChain>(parsed));
                             return std::make_unique<SecretManagerStore>(std::move(parsed), std::move(api));
                           },
                           GcpSchema());
  RegisterCommands(registrar);
}

}  // namespace
}  // namespace berth::gcp

BERTH_PLUGIN("gcp-artifact", "1.0.0", berth::gcp::Register)
