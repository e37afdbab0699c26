#include "core/plugins/signature_candidates.h"

#include <set>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace fs = std::filesystem;

std::string SignatureCandidate::Origin() const {
  if (referrer.empty()) return "in the package";
  // "sha256:" and 16 hex digits name it well enough in one line.
  return "in referrer " + referrer.substr(0, 7 + 16) + "…";
}

VerifiedSignature VerifyAnySignature(const std::string& statement, const std::vector<SignatureCandidate>& candidates,
                                     const std::vector<TrustedKey>& trusted, const std::string& what) {
  std::set<std::string> seen;
  std::vector<std::pair<const SignatureCandidate*, Error>> refusals;
  for (const SignatureCandidate& candidate : candidates) {
    // The publisher's signature is both in the package and beside it: once is enough.
    if (!seen.insert(ReadFile(candidate.file)).second) continue;
    try {
      return {candidate, &VerifyPackage(statement, candidate.file, trusted, what)};
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kVerification) throw;
      refusals.emplace_back(&candidate, e);
    }
  }
  if (refusals.empty()) throw Error(ErrorCode::kVerification, what + ": no signature to check");
  if (refusals.size() == 1) throw refusals.front().second;
  // VerifyPackage's messages begin with `what`; each is kept as its reason.
  std::string text = what + ": none of its " + std::to_string(refusals.size()) + " signatures verifies with a trusted key:";
  const std::string prefix = what + ": ";
  for (size_t i = 0; i < refusals.size(); ++i) {
    std::string reason = refusals[i].second.what();
    if (reason.starts_with(prefix)) reason = reason.substr(prefix.size());
    text += (i == 0 ? " " : "; ") + refusals[i].first->Origin() + ", " + reason;
  }
  throw Error(ErrorCode::kVerification, text);
}

std::optional<VerifiedSignature> VerifyPackageSignatures(const std::string& statement, const fs::path& own, const MoreSignatures& more,
                                                         const std::vector<TrustedKey>& trusted, const std::string& what) {
  std::vector<SignatureCandidate> candidates;
  if (fs::exists(own)) {
    candidates.push_back({own, ""});
    try {
      return VerifyAnySignature(statement, candidates, trusted, what);
    } catch (const Error& e) {
      if (!more || e.code() != ErrorCode::kVerification) throw;
    }
  }
  if (more) {
    for (SignatureCandidate& candidate : more()) candidates.push_back(std::move(candidate));
  }
  if (candidates.empty()) return std::nullopt;
  return VerifyAnySignature(statement, candidates, trusted, what);
}

}  // namespace berth::host
