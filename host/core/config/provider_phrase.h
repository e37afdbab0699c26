// How messages name a provider: "the k8s target", "the file secret store".
#ifndef BERTH_HOST_CORE_CONFIG_PROVIDER_PHRASE_H_
#define BERTH_HOST_CORE_CONFIG_PROVIDER_PHRASE_H_

#include <string>

#include "berth/plugin.h"

namespace berth::host {

std::string ProviderPhrase(ProvidedKind kind, const std::string& name);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_PROVIDER_PHRASE_H_
