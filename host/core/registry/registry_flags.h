// The per-run registry flags (--plain-http, --insecure-registry, --ca-file,
// --client-cert) for commands outside registry_commands.cc that reach
// registries: the registry commands, berth sign|verify, and berth deploy|rollback
// (whose signing policy reads signatures).
#ifndef BERTH_HOST_CORE_REGISTRY_REGISTRY_FLAGS_H_
#define BERTH_HOST_CORE_REGISTRY_REGISTRY_FLAGS_H_

#include <vector>

#include "berth/command.h"

namespace berth::host {

struct Host;

std::vector<OptionSpec> RegistryFlagOptions();
// `options` followed by RegistryFlagOptions(): a command that talks to registries.
std::vector<OptionSpec> WithRegistryFlags(std::vector<OptionSpec> options);
// Adds the flags' settings to the run's registry configuration; call before
// any registry client exists.
void ApplyRegistryFlagOptions(Host& host, const Args& args);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_REGISTRY_REGISTRY_FLAGS_H_
