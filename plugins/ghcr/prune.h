// Which package versions `berth ghcr prune` deletes. Pure planning: what the
// registry says about manifests comes in through ManifestLinks, so the rules
// are tested without a registry.
//
// Rules:
// - Versions are ordered newest first (created_at, then the API's order).
// - Tagged versions (a tag other than a cosign-style attachment tag): the
//   `keep` newest are kept, older ones are deleted.
// - Untagged versions are deleted only with `untagged`; else kept.
// - Never deleted, whatever the above says: a manifest listed by a kept index
//   (at any depth), a manifest whose subject is a kept one (referrers), and a
//   version tagged "sha256-<hex>[.sig|.att|.sbom|...]" for a kept digest.
// - A version tagged only with attachment tags follows its subject: deleted
//   with it, kept with it, kept when the subject is not in the package.
#ifndef BERTH_PLUGINS_GHCR_PRUNE_H_
#define BERTH_PLUGINS_GHCR_PRUNE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "packages.h"

namespace berth::ghcr {

struct ManifestLinks {
  // Digests of the manifests an index lists (empty for an image manifest).
  std::function<std::vector<std::string>(const std::string& digest)> children;
  // Digests of manifests whose subject is `digest`.
  std::function<std::vector<std::string>(const std::string& digest)> referrers;
};

struct PruneEntry {
  PackageVersion version;
  bool remove = false;
  std::string reason;
};

// The subject digest of an attachment tag ("sha256-ab...cd.sig" -> "sha256:ab...cd").
std::optional<std::string> AttachmentSubject(const std::string& tag);

// Every version with its decision, newest first; deletions are done in the
// order of `DeletionOrder`.
std::vector<PruneEntry> PlanPrune(std::vector<PackageVersion> versions, int keep, bool untagged, const ManifestLinks& links);
// Indexes and tagged versions before attachments, attachments before untagged
// manifests, so nothing that stays points at something already gone.
std::vector<const PruneEntry*> DeletionOrder(const std::vector<PruneEntry>& plan);

}  // namespace berth::ghcr

#endif  // BERTH_PLUGINS_GHCR_PRUNE_H_
