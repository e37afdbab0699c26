// The asap plugin: Atlassian ASAP (service-to-service JWT) as a credential
// provider for other plugins, and the `berth asap` commands.
#include "asap_commands.h"
#include "asap_provider.h"
#include "berth/plugin.h"

namespace berth::asap {
namespace {

void Register(Registrar& registrar) {
  registrar.SetDescription("Atlassian ASAP: service-to-service JWTs, minted and verified");
  registrar.AddCredentialProvider("asap", "ASAP tokens from an .asap-config or the ASAP_* environment",
                                  [](const nlohmann::json& settings) { return AsapProvider::FromSettings(settings, ProcessEnvironment()); },
                                  SettingsSchema{
                                      {"config", Setting::Path("An .asap-config file").CredentialFile()},
                                      {"private_key_file", Setting::Path("A PEM private key (with issuer and key_id)").CredentialFile()},
                                      {"issuer", Setting::Text("The token issuer (iss)")},
                                      {"key_id", Setting::Text("The key id (kid): ISSUER/NAME")},
                                      {"subject", Setting::Text("The token subject (sub)")},
                                      {"audience", Setting::Value("Audiences: a list, or text separated by commas")},
                                      {"expiry", Setting::WholeNumber("Token lifetime in seconds").AtLeast(1).AtMost(3600)},
                                  });
  RegisterCommands(registrar);
}

}  // namespace
}  // namespace berth::asap

BERTH_PLUGIN("asap", "1.0.0", berth::asap::Register)
