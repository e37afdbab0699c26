// `berth gcp images` and `berth gcp whoami`. Their settings are the
// registries.yaml `settings:` of the host they name (so the API URLs and the
// key file a test registry uses apply), then their flags.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_GCP_COMMANDS_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_GCP_COMMANDS_H_

#include "berth/command.h"
#include "berth/plugin.h"

namespace berth::gcp {

void RegisterCommands(Registrar& registrar);

CommandSpec ImagesCommandSpec();
int RunImages(CommandContext& context);

CommandSpec WhoamiCommandSpec();
int RunWhoami(CommandContext& context);

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_GCP_COMMANDS_H_
