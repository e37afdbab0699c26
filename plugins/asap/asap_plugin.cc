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
                                  [](const nlohmann::json& settings) { return AsapProvider::FromSettings(settings, ProcessEnvironment()); });
  registrar.AddCommand(KeygenSpec(), RunKeygen);
  registrar.AddCommand(TokenSpec(), RunToken);
  registrar.AddCommand(VerifySpec(), RunVerify);
  registrar.AddCommand(CurlSpec(), RunCurl);
}

}  // namespace
}  // namespace berth::asap

BERTH_PLUGIN("asap", "1.0.0", berth::asap::Register)
