// berth release refuses to ship from a repository that tracks a private key:
// once pushed, a key in git history is public for good. Tracked files are
// checked by name (cosign.key, ssh keys, .asap-config with its privateKey)
// and by content (PEM private keys of every kind, cosign's encrypted key
// labels included, and ASAP data-URI keys).
#ifndef BERTH_HOST_CORE_RELEASE_TRACKED_SECRETS_H_
#define BERTH_HOST_CORE_RELEASE_TRACKED_SECRETS_H_

#include <filesystem>
#include <string>
#include <vector>

namespace berth::host::release {

struct TrackedSecret {
  std::string file;    // Relative to the directory scanned.
  std::string reason;  // "a PEM private key", "cosign's private key file", ...
};

// The files git tracks under `dir` that hold a private key; empty outside a
// git work tree.
std::vector<TrackedSecret> FindTrackedSecrets(const std::filesystem::path& dir);

// Throws Error(kInvalidInput) naming the first file and how to get it out.
void RefuseTrackedSecrets(const std::filesystem::path& dir);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_TRACKED_SECRETS_H_
