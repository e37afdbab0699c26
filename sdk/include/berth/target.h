// The Target interface: a platform that runs a service (Kubernetes, Micros).
//
// The host resolves what to deploy (an image by digest, never a bare tag, and
// the release version) from the command line, berth.yaml and the release
// ledger; a target plans, applies, waits, reports and rolls back.
#ifndef BERTH_TARGET_H_
#define BERTH_TARGET_H_

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "berth/error.h"

namespace berth {

// Which deployment: berth.yaml's service and environment, and the
// environment's `target` block (its settings, without the `plugin` key).
struct TargetQuery {
  std::string service;
  std::string environment;
  nlohmann::json settings = nlohmann::json::object();
  std::filesystem::path project_dir;     // berth.yaml's directory: relative paths in settings start here.
};

struct HealthCheck {
  std::string url;                       // Absolute URL; empty: the target derives it (service URL + path).
  std::string path = "/api/health";
  std::chrono::seconds timeout{120};
  std::chrono::seconds interval{2};
};

struct DeployRequest {
  TargetQuery target;
  std::string image;                     // repository@sha256:...
  std::string version;                   // The release version ("1.4.2"), for labels and descriptors.
  std::optional<HealthCheck> health;     // berth.yaml's health block; nullopt: the target's default check, if any.
  bool wait_healthy = true;              // false (--no-health): no health wait, not even a target's default.
  std::chrono::seconds timeout{300};     // For the rollout itself.
};

struct DeployPlan {
  std::vector<std::string> actions;      // What would be done, one line each.
  nlohmann::json documents = nlohmann::json::array();  // Rendered manifests or descriptors.
  std::string diff;                      // What would change against the live state; empty when unknown.
};

struct DeployOutcome {
  std::string revision;                  // The platform's revision of this deployment.
  std::string url;                       // The service URL when known.
  bool healthy = false;
  bool health_checked = false;           // A health URL was probed; `healthy` is its verdict.
  std::string problem;                   // Why it is not healthy, one line; berth prints it. Empty when healthy.
  nlohmann::json details = nlohmann::json::object();
  // What was applied, whole (k8s: {"documents": [...]}; micros: {"descriptor": "..."}), so that a rollback can
  // apply it again exactly: the host records it in the ledger and hands it back in RollbackRequest::spec.
  // Null: the target records none (plugins built before it existed), and rollbacks render today's configuration.
  nlohmann::json spec;
};

struct TargetStatus {
  std::string image;
  std::string revision;
  // The version the platform keeps with what runs (a Deployment's
  // annotation, a deploy record); empty when it keeps none. Lets status
  // name the version on a machine without the ledger.
  std::string version;
  std::string url;
  bool ready = false;
  std::string message;                   // One line a person reads ("3/3 replicas available").
  nlohmann::json details = nlohmann::json::object();
};

struct TargetRevision {
  std::string revision;
  std::string image;
  std::string version;
  std::string created_at;                // RFC 3339, when known.
  bool current = false;
};

struct RollbackRequest {
  TargetQuery target;
  std::optional<std::string> revision;   // The platform's revision (kubectl rollout undo --to-revision).
  std::optional<std::string> image;      // Or an image by digest and version from the release ledger.
  std::optional<std::string> version;
  // The DeployOutcome::spec this target returned when `version` was deployed healthy in this environment, from the
  // release ledger: apply it as it was (as `kubectl rollout undo` restores the whole pod template), not today's
  // configuration with the old image. Absent when nothing was recorded.
  std::optional<nlohmann::json> spec;
  std::optional<HealthCheck> health;
  bool wait_healthy = true;
  std::chrono::seconds timeout{300};
};

// Whether a deploy or rollback counts as good: healthy, or nobody asked for
// health (no health block) and the target did not probe one by default.
inline bool DeploySucceeded(const DeployOutcome& outcome, bool health_configured) {
  return outcome.healthy || !(health_configured || outcome.health_checked);
}

class Target {
 public:
  virtual ~Target() = default;
  // Changes nothing.
  virtual Result<DeployPlan> Plan(const DeployRequest& request) noexcept = 0;
  // Applies, waits for the rollout (and health when asked), reports progress on stderr.
  virtual Result<DeployOutcome> Deploy(const DeployRequest& request) noexcept = 0;
  virtual Result<TargetStatus> Status(const TargetQuery& query) noexcept = 0;
  virtual Result<std::vector<TargetRevision>> History(const TargetQuery& query) noexcept = 0;
  virtual Result<DeployOutcome> Rollback(const RollbackRequest& request) noexcept = 0;
};

}  // namespace berth

#endif  // BERTH_TARGET_H_
