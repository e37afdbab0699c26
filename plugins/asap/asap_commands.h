// The `berth asap ...` subcommands, registered by asap_plugin.cc beside its
// credential provider; each a spec and a run function in its own file.
#ifndef BERTH_PLUGINS_ASAP_ASAP_COMMANDS_H_
#define BERTH_PLUGINS_ASAP_ASAP_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "berth/command.h"
#include "berth/plugin.h"

namespace berth::asap {

void RegisterCommands(Registrar& registrar);

CommandSpec KeygenSpec();
int RunKeygen(CommandContext& context);
CommandSpec TokenSpec();
int RunToken(CommandContext& context);
CommandSpec VerifySpec();
int RunVerify(CommandContext& context);
CommandSpec CurlSpec();
int RunCurl(CommandContext& context);
CommandSpec PublishSpec();
int RunPublish(CommandContext& context);

// Shared by the commands: every -a value, each split at commas.
std::vector<std::string> AudienceArgs(const Args& args);
// --expiry as seconds; Error(kUsage) when it is not a whole number.
std::optional<int64_t> ExpiryArg(const Args& args);
// The .asap-config named by the global --config, if any.
std::optional<std::string> ConfigArg(const Args& args);

}  // namespace berth::asap

#endif  // BERTH_PLUGINS_ASAP_ASAP_COMMANDS_H_
