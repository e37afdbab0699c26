// The cosign plugin: signer "cosign" (key-based, tag-based signatures that
// cosign itself verifies) and `berth cosign ...` commands for keys and blobs.
#include "berth/plugin.h"
#include "cosign_commands.h"
#include "cosign_signer.h"
#include "registry_signature_store.h"

namespace berth::cosign {
namespace {

void Register(Registrar& registrar) {
  registrar.SetDescription("Sign and verify images the way cosign does (key pairs, .sig tags)");
  registrar.AddSigner("cosign", "cosign key-based signatures stored under sha256-<digest>.sig tags",
                      [](const nlohmann::json& settings) { return std::make_unique<CosignSigner>(settings, OpenRegistrySignatureStore); },
                      SettingsSchema{
                          {"repository", Setting::Text("Where signatures are stored (default: beside the image; $COSIGN_REPOSITORY wins)")},
                          {"format", Setting::Choice({"simple-signing", "bundle"}, "How signatures are written").Default("simple-signing")},
                      });
  RegisterCommands(registrar);
}

}  // namespace
}  // namespace berth::cosign

BERTH_PLUGIN("cosign", "1.0.0", berth::cosign::Register)
