// berth release VERSION, phase by phase (docs/release.md): check what can
// fail, build, push by digest, sign, move the tags (the commit point),
// record, deploy. Each phase is one method; what one phase finds for the
// next is a member, so Run() reads as the order a release happens in.
#ifndef BERTH_HOST_COMMANDS_RELEASE_RUN_H_
#define BERTH_HOST_COMMANDS_RELEASE_RUN_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "berth/command.h"
#include "berth/oci/image.h"
#include "berth/signer.h"
#include "core/host.h"
#include "core/release/ledger.h"
#include "core/release/release_checks.h"
#include "core/release/release_journal.h"
#include "core/release/release_plan.h"
#include "core/release/release_push.h"
#include "core/release/release_source.h"

namespace berth::host {

class ReleaseRun {
 public:
  ReleaseRun(Host& host, CommandContext& context);
  // The exit code: 0, or kDeploy's when the deploy failed (the release is
  // recorded either way). Throws Error for a release that did not happen.
  int Run();

 private:
  // Everything decided before any registry is asked: the version, git state,
  // tags, destinations, environment, trust, changelog entry.
  void Plan();
  int EmitPlan();
  // Registries take our pushes, no release tag names something else, the
  // signing key unlocks; an interrupted run of this version resumes.
  void CheckAhead();
  void Build();
  void PushByDigest();
  void Sign();
  void MoveTags();
  void Record();
  void Emit();
  void RefuseMovedTags(const std::string& digest) const;
  std::string ResumeHint() const;

  Host& host_;
  CommandContext& context_;
  const ProjectConfig& project_;
  std::string version_;
  release::GitState git_;
  Ledger ledger_;
  std::vector<release::RenderedTag> rendered_;
  std::vector<std::string> tags_, mutable_tags_, repositories_;
  const EnvironmentConfig* environment_ = nullptr;
  std::optional<std::string> builder_flag_;
  release::ReleaseSource source_;

  std::optional<release::ReleaseJournal> journal_;
  bool resumed_ = false;
  release::RegistryChecks checks_;
  std::unique_ptr<Signer> signer_;
  std::string signing_key_;
  std::optional<oci::ImageLocation> layout_;
  std::string builder_used_;
  release::PushOutcome pushed_;
  std::optional<oci::Manifest> top_;
  std::vector<std::string> images_;  // Every repository:tag that names the release, as the ledger records them.
};

}  // namespace berth::host

#endif  // BERTH_HOST_COMMANDS_RELEASE_RUN_H_
