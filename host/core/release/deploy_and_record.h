// One way to change what runs in an environment and write it down: `berth
// deploy`, `berth rollback` and `berth release --env` all come through here,
// so the signing policy, the ledger's states and what was applied are the
// same whichever command ran.
#ifndef BERTH_HOST_CORE_RELEASE_DEPLOY_AND_RECORD_H_
#define BERTH_HOST_CORE_RELEASE_DEPLOY_AND_RECORD_H_

#include <optional>
#include <string>

#include "berth/error.h"
#include "berth/services.h"
#include "berth/target.h"
#include "core/config/project_config.h"
#include "core/release/ledger.h"

namespace berth::host {

// What a deploy or rollback did. `status` is the target's error when the
// call failed (then there is no outcome); an unhealthy outcome is not an
// error here: the caller decides (exit 8, auto-rollback).
struct DeployResult {
  Status status;
  std::optional<DeployOutcome> outcome;
  bool good = false;               // Succeeded, and healthy when health was asked for.
  std::string version;             // The ledger version now running; empty when the image is not in the ledger.
  bool recorded = false;           // Written to the ledger.
};

// Who deployed: CI's actor when there is one, else user@host.
std::string DeployActor();

// Checks the signing policy, deploys, and records the deployment of
// `request.version` (when it is a ledger version) with its state, the
// target's spec and the settings, then saves `ledger` atomically.
DeployResult DeployAndRecord(const ProjectConfig& project, Services& services, Target& target, Ledger& ledger,
                             const DeployRequest& request);

// The same for a rollback. A rollback by platform revision is recorded under
// the ledger version whose digest the target reports running afterwards;
// when the ledger has releases but none of them, stderr says so and nothing
// is recorded.
DeployResult RollbackAndRecord(const ProjectConfig& project, Services& services, Target& target, Ledger& ledger,
                               const RollbackRequest& request);

// Fills `request` to return `environment` to `release` (its image in the
// environment's registry and version) and, when `chosen` holds one, the
// specification recorded for that deployment: what ran then, whole, since
// today's berth.yaml may be what broke. Says on stderr when none is
// recorded. Throws Error(kNotFound) when the environment's own registry
// does not hold the release (not promoted there).
void AimRollback(const ProjectConfig& project, const EnvironmentConfig& environment, const LedgerRelease& release,
                 const DeploymentRef& chosen, RollbackRequest& request);

// Settings as the ledger may keep them: anything credential-shaped or
// registered as a secret replaced by "***".
nlohmann::json RedactedSettings(const nlohmann::json& settings);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_RELEASE_DEPLOY_AND_RECORD_H_
