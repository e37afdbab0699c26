#include "rollout.h"

#include <gtest/gtest.h>

namespace berth::k8s {
namespace {

nlohmann::json Deployment(const char* status, long generation = 2, long replicas = 3) {
  auto object = nlohmann::json::parse(R"({"metadata": {"name": "web"}, "spec": {}})");
  object["metadata"]["generation"] = generation;
  object["spec"]["replicas"] = replicas;
  object["status"] = nlohmann::json::parse(status);
  return object;
}

// The messages and decisions of kubectl's DeploymentStatusViewer.
TEST(RolloutTest, FollowsKubectlRolloutStatus) {
  auto state = EvaluateRollout(Deployment(R"({"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3})"));
  EXPECT_FALSE(state.done);
  EXPECT_EQ(state.message, "Waiting for deployment spec update to be observed...");

  state = EvaluateRollout(Deployment(R"({"observedGeneration": 2, "replicas": 4, "updatedReplicas": 1, "availableReplicas": 3})"));
  EXPECT_EQ(state.message, "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...");

  state = EvaluateRollout(Deployment(R"({"observedGeneration": 2, "replicas": 4, "updatedReplicas": 3, "availableReplicas": 3})"));
  EXPECT_EQ(state.message, "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...");

  state = EvaluateRollout(Deployment(R"({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 2})"));
  EXPECT_EQ(state.message, "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available...");

  state = EvaluateRollout(Deployment(R"({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3})"));
  EXPECT_TRUE(state.done);
  EXPECT_EQ(state.message, "deployment \"web\" successfully rolled out");

  state = EvaluateRollout(Deployment(R"({"observedGeneration": 2, "replicas": 4, "updatedReplicas": 1,
    "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                    "message": "ReplicaSet \"web-abc\" has timed out progressing."}]})"));
  EXPECT_TRUE(state.failed);
  EXPECT_FALSE(state.done);
  EXPECT_EQ(state.message, "deployment \"web\" exceeded its progress deadline");

  // Zero replicas is a finished rollout.
  state = EvaluateRollout(Deployment(R"({"observedGeneration": 2})", 2, 0));
  EXPECT_TRUE(state.done);
}

}  // namespace
}  // namespace berth::k8s
