// `berth ghcr versions IMAGE` and `berth ghcr prune IMAGE --keep N
// [--untagged] [--yes]`: package versions through the GitHub Packages API.
#ifndef BERTH_PLUGINS_GHCR_GHCR_COMMANDS_H_
#define BERTH_PLUGINS_GHCR_GHCR_COMMANDS_H_

#include "berth/command.h"
#include "berth/plugin.h"

namespace berth::ghcr {

void RegisterCommands(Registrar& registrar);

}  // namespace berth::ghcr

#endif  // BERTH_PLUGINS_GHCR_GHCR_COMMANDS_H_
