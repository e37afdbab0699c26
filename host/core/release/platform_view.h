// What runs, as the platform says, completed from the committed ledger. The
// platform is the source of truth for what runs (a Deployment's revisions,
// Micros' `service show`), but it may know only a revision or an image; the
// ledger (releases.json, committed with the code) knows the version and what
// was applied. A machine that did not deploy (CI, a colleague) has no local
// records of its own, so status, history and rollback join the two here.
#ifndef BERTH_HOST_CORE_RELEASE_PLATFORM_VIEW_H_
#define BERTH_HOST_CORE_RELEASE_PLATFORM_VIEW_H_

#include <optional>
#include <string>
#include <vector>

#include "berth/target.h"
#include "core/release/ledger.h"

namespace berth::host {

// The newest deployment the ledger recorded in `environment` under the
// platform's `revision`.
DeploymentRef FindRevision(const Ledger& ledger, const std::string& environment, const std::string& revision);

struct StatusView {
  std::string version;   // From the ledger, by digest, else the platform's, else the ledger's by revision.
  std::string image;     // The platform's, else the ledger's for that revision.
  // "current": the ledger recorded what runs; "behind": the platform runs a
  // revision the ledger has no record of; "unknown": nothing to compare.
  std::string ledger;
};

StatusView ViewStatus(const Ledger& ledger, const std::string& environment, const TargetStatus& status);

// Fills each revision's version and image the platform does not know from
// the ledger.
void CompleteHistory(const Ledger& ledger, const std::string& environment, std::vector<TargetRevision>& revisions);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_RELEASE_PLATFORM_VIEW_H_
