// `berth file-secrets where ENV`, registered by file_secrets_plugin.cc
// beside the "file" secret store.
#ifndef BERTH_PLUGINS_FILE_SECRETS_FILE_SECRETS_COMMANDS_H_
#define BERTH_PLUGINS_FILE_SECRETS_FILE_SECRETS_COMMANDS_H_

#include "berth/plugin.h"

namespace berth::file_secrets {

void RegisterCommands(Registrar& registrar);

}  // namespace berth::file_secrets

#endif  // BERTH_PLUGINS_FILE_SECRETS_FILE_SECRETS_COMMANDS_H_
