// Server-side apply (PATCH with application/apply-patch+yaml and
// fieldManager=berth): creates missing objects, takes only the fields berth
// renders, and turns the API server's conflict answer into one clear error.
#ifndef BERTH_PLUGINS_K8S_APPLY_H_
#define BERTH_PLUGINS_K8S_APPLY_H_

#include <nlohmann/json.hpp>

#include <string>

#include "berth/error.h"
#include "kube_client.h"

namespace berth::k8s {

struct ApplyOptions {
  bool force = false;      // Take fields over from other managers (?force=true).
  bool dry_run = false;    // ?dryRun=All: the server computes the result and stores nothing.
  ErrorCode conflict_code = ErrorCode::kDeploy;
  std::string conflict_hint = "set force_conflicts: true in the target settings to take them over";
};

// Returns the object as the server has it (or would have it, when dry_run).
nlohmann::json ServerSideApply(KubeClient& client, const nlohmann::json& object, const ApplyOptions& options = {});

// "Deployment default/web".
std::string Describe(const nlohmann::json& object);

// The message for a 409 apply conflict, naming each field and its manager.
std::string ConflictMessage(const nlohmann::json& object, const nlohmann::json& status, const std::string& hint);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_APPLY_H_
