// The words the manifest, the C boundary and `berth plugin list` use for
// provided kinds and secret changes, and the default SecretStore::Diff.
#include <algorithm>

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
    case ProvidedKind::kBuilder: return "builder";
  }
  return "unknown";
}

std::optional<ProvidedKind> ParseProvidedKind(std::string_view name) noexcept {
  for (auto kind : {ProvidedKind::kRegistry, ProvidedKind::kTarget, ProvidedKind::kSecretStore, ProvidedKind::kSigner,
                    ProvidedKind::kCredentialProvider, ProvidedKind::kBuilder}) {
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

Result<std::vector<SecretDiffEntry>> SecretStore::Diff(const std::string& environment,
                                                      const std::map<std::string, SecretValue>& desired) noexcept {
  return CaptureResult([&] {
    std::vector<std::string> existing = List(environment).value();
    std::sort(existing.begin(), existing.end());
    std::vector<SecretDiffEntry> diff;
    for (const auto& [name, value] : desired) {
      bool present = std::binary_search(existing.begin(), existing.end(), name);
      diff.push_back({name, present ? SecretChange::kChanged : SecretChange::kAdded});
    }
    for (const auto& name : existing) {
      if (!desired.count(name)) diff.push_back({name, SecretChange::kRemoved});
    }
    return diff;
  });
}

}  // namespace berth
