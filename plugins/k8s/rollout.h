// Waiting for a Deployment's rollout the way `kubectl rollout status` does,
// with its messages, and a ProgressDeadlineExceeded condition as a failure.
#ifndef BERTH_PLUGINS_K8S_ROLLOUT_H_
#define BERTH_PLUGINS_K8S_ROLLOUT_H_

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "kube_client.h"

namespace berth::k8s {

struct RolloutState {
  bool done = false;
  bool failed = false;     // ProgressDeadlineExceeded: it will not finish by itself.
  std::string message;     // kubectl's line, without the trailing newline.
};

// kubectl's DeploymentStatusViewer.Status, on one observed Deployment.
RolloutState EvaluateRollout(const nlohmann::json& deployment);

struct RolloutWait {
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds poll{500};
  std::function<void(const std::string&)> progress;  // Called when the message changes.
};

// Polls the Deployment until its rollout is complete and returns it. Throws
// Error(kDeploy) on ProgressDeadlineExceeded (with the condition's message)
// and on timeout (with the last state), Error(kNotFound) if it disappears.
nlohmann::json WaitForRollout(KubeClient& client, const std::string& namespace_name, const std::string& name,
                              const RolloutWait& wait);

// The Progressing condition's "reason: message", empty when absent.
std::string ProgressingCondition(const nlohmann::json& deployment);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_ROLLOUT_H_
