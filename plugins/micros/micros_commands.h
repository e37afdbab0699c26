// The plugin's subcommands, registered by micros_plugin.cc beside its
// target, registry and secret store.
#ifndef BERTH_PLUGINS_MICROS_MICROS_COMMANDS_H_
#define BERTH_PLUGINS_MICROS_MICROS_COMMANDS_H_

#include "berth/plugin.h"

namespace berth::micros {

void RegisterCommands(Registrar& registrar);

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_MICROS_COMMANDS_H_
