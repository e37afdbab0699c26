#include "core/release/platform_view.h"

namespace berth::host {
namespace {

std::string ImageOf(const DeploymentRef& ref) {
  if (ref.deployment->spec.is_object() && ref.deployment->spec.value("image", "") != "") return ref.deployment->spec.value("image", "");
  return ref.release->ImageByDigest();
}

}  // namespace

DeploymentRef FindRevision(const Ledger& ledger, const std::string& environment, const std::string& revision) {
  if (revision.empty()) return {};
  for (const DeploymentRef& ref : ledger.History(environment)) {
    if (ref.deployment->revision == revision) return ref;
  }
  return {};
}

StatusView ViewStatus(const Ledger& ledger, const std::string& environment, const TargetStatus& status) {
  StatusView view{"", status.image, "unknown"};
  DeploymentRef recorded = FindRevision(ledger, environment, status.revision);
  if (const LedgerRelease* release = ledger.FindByDigest(ImageDigest(status.image))) view.version = release->version;
  // Without a record of that digest (no ledger on this machine), what the platform keeps.
  if (view.version.empty()) view.version = status.version;
  if (recorded) {
    if (view.version.empty()) view.version = recorded.release->version;
    if (view.image.empty()) view.image = ImageOf(recorded);
    view.ledger = "current";
  } else if (!status.revision.empty() && (!ledger.History(environment).empty() || !view.version.empty())) {
    view.ledger = "behind";
  }
  return view;
}

void CompleteHistory(const Ledger& ledger, const std::string& environment, std::vector<TargetRevision>& revisions) {
  for (auto& revision : revisions) {
    if (revision.version.empty()) {
      if (const LedgerRelease* release = ledger.FindByDigest(ImageDigest(revision.image))) revision.version = release->version;
    }
    if (revision.version.empty() || revision.image.empty()) {
      if (DeploymentRef recorded = FindRevision(ledger, environment, revision.revision)) {
        if (revision.version.empty()) revision.version = recorded.release->version;
        if (revision.image.empty()) revision.image = ImageOf(recorded);
      }
    }
  }
}

}  // namespace berth::host
