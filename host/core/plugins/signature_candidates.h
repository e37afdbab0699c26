// A plugin package may have more than one signature: its own
// berth-plugin.sig, and, for a published plugin, the signatures stored
// beside its variant as referrers (core/plugins/plugin_referrers.h), added
// by its publisher or later by anyone who vouches for it. An install accepts
// the package when one of them verifies with a key the user trusts, and
// records that one's signer.
#ifndef BERTH_HOST_CORE_PLUGINS_SIGNATURE_CANDIDATES_H_
#define BERTH_HOST_CORE_PLUGINS_SIGNATURE_CANDIDATES_H_

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/plugins/plugin_signature.h"

namespace berth::host {

struct SignatureCandidate {
  std::filesystem::path file;  // A berth-plugin.sig file.
  std::string referrer;        // The referrer manifest's digest; "" for the package's own signature.
  std::string Origin() const;  // "in the package", "in referrer sha256:…", for messages.
};

// More candidates, fetched only when asked for (a registry round trip).
using MoreSignatures = std::function<std::vector<SignatureCandidate>()>;

struct VerifiedSignature {
  SignatureCandidate candidate;
  const TrustedKey* key = nullptr;  // Points into the caller's trusted keys.
};

// Verifies `statement` with each candidate in order and returns the first
// that verifies with a key of `trusted`; a file with the same bytes as an
// earlier one is not tried again. When none does: Error(kVerification), the
// one candidate's own message, or for several, one line naming `what` and,
// for each signature, where it was and why it was not accepted (its signer
// not trusted, or not matching). `candidates` must not be empty.
VerifiedSignature VerifyAnySignature(const std::string& statement, const std::vector<SignatureCandidate>& candidates,
                                     const std::vector<TrustedKey>& trusted, const std::string& what);

// The package's own signature `own` (when that file exists) first; `more`
// (may be empty) is called only when it is missing or does not verify, so a
// package its author signed with a trusted key costs no registry request.
// nullopt when there is no signature at all (the caller decides whether
// unsigned is acceptable); otherwise as VerifyAnySignature over all of them.
std::optional<VerifiedSignature> VerifyPackageSignatures(const std::string& statement, const std::filesystem::path& own,
                                                         const MoreSignatures& more, const std::vector<TrustedKey>& trusted,
                                                         const std::string& what);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_SIGNATURE_CANDIDATES_H_
