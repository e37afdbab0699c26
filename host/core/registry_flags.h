// The per-run registry flags (--plain-http, --insecure-registry, --ca-file,
// --client-cert) for commands outside registry_commands.cc that reach
// registries through a plugin (berth sign, berth verify).
// registry_commands.cc has its own copy of the same four; one of them can go
// once both branches are merged.
#ifndef BERTH_HOST_CORE_REGISTRY_FLAGS_H_
#define BERTH_HOST_CORE_REGISTRY_FLAGS_H_

#include <vector>

#include "berth/command.h"

namespace berth::host {

struct Host;

std::vector<OptionSpec> RegistryFlagOptions();
// Adds the flags' settings to the run's registry configuration; call before
// any registry client exists.
void ApplyRegistryFlagOptions(Host& host, const Args& args);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_REGISTRY_FLAGS_H_
