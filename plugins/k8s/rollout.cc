#include "rollout.h"

#include <thread>

#include "berth/error.h"
#include "manifests.h"

namespace berth::k8s {
namespace {

long Number(const nlohmann::json& object, const char* key, long fallback = 0) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<long>() : fallback;
}

const nlohmann::json* Condition(const nlohmann::json& deployment, const std::string& type) {
  if (!deployment.contains("status") || !deployment["status"].contains("conditions")) return nullptr;
  for (const auto& condition : deployment["status"]["conditions"]) {
    if (condition.value("type", "") == type) return &condition;
  }
  return nullptr;
}

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

std::string FormatDuration(std::chrono::milliseconds duration) {
  long seconds = long(duration.count() / 1000);
  if (seconds % 60 == 0 && seconds >= 60) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

}  // namespace

std::string ProgressingCondition(const nlohmann::json& deployment) {
  const nlohmann::json* condition = Condition(deployment, "Progressing");
  if (condition == nullptr) return "";
  return condition->value("reason", "") + ": " + condition->value("message", "");
}

RolloutState EvaluateRollout(const nlohmann::json& deployment) {
  const nlohmann::json& metadata = deployment.at("metadata");
  const nlohmann::json status = deployment.contains("status") ? deployment["status"] : nlohmann::json::object();
  const nlohmann::json spec = deployment.contains("spec") ? deployment["spec"] : nlohmann::json::object();
  std::string name = Quoted(metadata.value("name", ""));
  RolloutState state;
  if (Number(metadata, "generation") > Number(status, "observedGeneration")) {
    state.message = "Waiting for deployment spec update to be observed...";
    return state;
  }
  const nlohmann::json* progressing = Condition(deployment, "Progressing");
  if (progressing != nullptr && progressing->value("reason", "") == "ProgressDeadlineExceeded") {
    state.failed = true;
    state.message = "deployment " + name + " exceeded its progress deadline";
    return state;
  }
  long replicas = Number(spec, "replicas", 1);
  long updated = Number(status, "updatedReplicas");
  long current = Number(status, "replicas");
  long available = Number(status, "availableReplicas");
  std::string waiting = "Waiting for deployment " + name + " rollout to finish: ";
  if (updated < replicas) {
    state.message = waiting + std::to_string(updated) + " out of " + std::to_string(replicas) + " new replicas have been updated...";
  } else if (current > updated) {
    state.message = waiting + std::to_string(current - updated) + " old replicas are pending termination...";
  } else if (available < updated) {
    state.message = waiting + std::to_string(available) + " of " + std::to_string(updated) + " updated replicas are available...";
  } else {
    state.done = true;
    state.message = "deployment " + name + " successfully rolled out";
  }
  return state;
}

nlohmann::json WaitForRollout(KubeClient& client, const std::string& namespace_name, const std::string& name,
                              const RolloutWait& wait) {
  auto deadline = std::chrono::steady_clock::now() + wait.timeout;
  std::string last_message;
  std::string path = DeploymentPath(namespace_name, name);
  while (true) {
    auto deployment = client.GetIfExists(path);
    if (!deployment) {
      throw Error(ErrorCode::kNotFound, "deployment " + Quoted(name) + " in namespace " + namespace_name +
                                            " disappeared while berth waited for its rollout");
    }
    RolloutState state = EvaluateRollout(*deployment);
    if (state.message != last_message && wait.progress) wait.progress(state.message);
    last_message = state.message;
    if (state.done) return *deployment;
    if (state.failed) {
      std::string condition = ProgressingCondition(*deployment);
      throw Error(ErrorCode::kDeploy, state.message + (condition.empty() ? "" : " (" + condition + ")"));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw Error(ErrorCode::kDeploy, "timed out after " + FormatDuration(wait.timeout) + " waiting for deployment " +
                                          Quoted(name) + " to roll out; last: " + state.message);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::min(wait.poll, std::max(left, std::chrono::milliseconds(1))));
  }
}

}  // namespace berth::k8s
