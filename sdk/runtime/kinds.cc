// The words the manifest, the C boundary and `berth plugin list` use for
// provided kinds and secret changes.
#include "berth/plugin.h"
#include "berth/secret_store.h"

namespace berth {

const char* ProvidedKindName(ProvidedKind kind) noexcept {
  switch (kind) {
    case ProvidedKind::kRegistry: return "registry";
    case ProvidedKind::kTarget: return "target";
    case ProvidedKind::kSecretStore: return "secret-store";
    case ProvidedKind::kSigner: return "signer";
    case ProvidedKind::kCredentialProvider: return "credential";
  }
  return "unknown";
}

std::optional<ProvidedKind> ParseProvidedKind(std::string_view name) noexcept {
  for (auto kind : {ProvidedKind::kRegistry, ProvidedKind::kTarget, ProvidedKind::kSecretStore, ProvidedKind::kSigner,
                    ProvidedKind::kCredentialProvider}) {
    if (name == ProvidedKindName(kind)) return kind;
  }
  return std::nullopt;
}

const char* SecretChangeName(SecretChange change) noexcept {
  switch (change) {
    case SecretChange::kAdded: return "added";
    case SecretChange::kChanged: return "changed";
    case SecretChange::kUnchanged: return "unchanged";
    case SecretChange::kRemoved: return "removed";
  }
  return "unknown";
}

}  // namespace berth
