// The plugin's subcommands, registered by cosign_plugin.cc beside its signer.
#ifndef BERTH_PLUGINS_COSIGN_COSIGN_COMMANDS_H_
#define BERTH_PLUGINS_COSIGN_COSIGN_COMMANDS_H_

#include "berth/plugin.h"

namespace berth::cosign {

void RegisterCommands(Registrar& registrar);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_COSIGN_COMMANDS_H_
