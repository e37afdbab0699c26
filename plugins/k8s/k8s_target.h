// The `k8s` target: deploys a service as a Deployment and a Service by
// server-side apply, waits for the rollout as kubectl does, reports status
// and history from the Deployment and its ReplicaSets, and rolls back.
#ifndef BERTH_PLUGINS_K8S_K8S_TARGET_H_
#define BERTH_PLUGINS_K8S_K8S_TARGET_H_

#include <chrono>
#include <functional>
#include <string>

#include "berth/target.h"
#include "k8s_settings.h"
#include "pull_secret.h"

namespace berth::k8s {

class K8sTarget : public Target {
 public:
  // Throws Error(kInvalidInput) for malformed settings.
  explicit K8sTarget(const nlohmann::json& settings);

  Result<DeployPlan> Plan(const DeployRequest& request) noexcept override;
  Result<DeployOutcome> Deploy(const DeployRequest& request) noexcept override;
  Result<TargetStatus> Status(const TargetQuery& query) noexcept override;
  Result<std::vector<TargetRevision>> History(const TargetQuery& query) noexcept override;
  Result<DeployOutcome> Rollback(const RollbackRequest& request) noexcept override;

  // For tests: how often the rollout is polled, and where progress lines go
  // (default: stderr unless -q).
  void SetPollInterval(std::chrono::milliseconds poll) { poll_ = poll; }
  void SetProgress(std::function<void(const std::string&)> progress) { progress_ = std::move(progress); }
  // For tests: where registry credentials come from (default: the host's).
  void SetCredentialLookup(CredentialLookup lookup) { credentials_ = std::move(lookup); }

 private:
  struct Context;
  Context Open(const TargetQuery& query);
  DeployPlan OfflinePlan(const DeployRequest& request, const std::string& why) const;
  DeployOutcome ApplyAndWait(Context& context, const nlohmann::json& deployment, bool force,
                             const std::optional<HealthCheck>& health, std::chrono::seconds timeout);
  DeployOutcome Reapply(Context& context, const nlohmann::json& spec, const RollbackRequest& request);
  void Progress(const std::string& line) const;
  // Creates or updates berth's image pull secret when the settings ask for
  // one; returns its name for the Deployment ("" for none).
  std::string SetUpPullSecret(Context& context, const std::string& image);

  TargetSettings settings_;
  std::chrono::milliseconds poll_{500};
  std::function<void(const std::string&)> progress_;
  CredentialLookup credentials_ = HostCredentialLookup();
};

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_K8S_TARGET_H_
