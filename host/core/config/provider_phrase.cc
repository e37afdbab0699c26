#include "core/config/provider_phrase.h"

namespace berth::host {
namespace {

const char* KindPhrase(ProvidedKind kind) {
  switch (kind) {
    case ProvidedKind::kRegistry: return "registry";
    case ProvidedKind::kTarget: return "target";
    case ProvidedKind::kSecretStore: return "secret store";
    case ProvidedKind::kSigner: return "signer";
    case ProvidedKind::kCredentialProvider: return "credential provider";
    case ProvidedKind::kBuilder: return "builder";
  }
  return "plugin";
}

}  // namespace

std::string ProviderPhrase(ProvidedKind kind, const std::string& name) { return "the " + name + " " + KindPhrase(kind); }

}  // namespace berth::host
