#include "core/release/release_deploy.h"

#include "berth/util/log.h"
#include "core/release/deploy_and_record.h"

namespace berth::host {

int DeployRelease(const ProjectConfig& project, Services& services, Ledger& ledger, const EnvironmentConfig& environment,
                  const std::string& version, bool auto_rollback, const std::function<void(const std::string&)>& step) {
  step("deploying " + version + " to " + environment.name);
  auto target = services.OpenTarget(environment.target, environment.target_settings).value();
  DeployRequest request;
  request.target = {project.service, environment.name, environment.target_settings};
  request.target.project_dir = project.dir;
  request.version = version;
  request.image = ledger.Find(version)->ImageFor(environment.name, environment.registry);
  request.health = environment.health;
  DeployResult deployed = DeployAndRecord(project, services, *target, ledger, request);
  if (deployed.good) return 0;

  const int failed = static_cast<int>(ErrorCode::kDeploy);
  const std::string failure = deployed.outcome ? "unhealthy" : deployed.status.message();
  // What ran here before this release, whatever its version: after a
  // rollback that is the release rolled back to, not the newest one.
  DeploymentRef previous = ledger.PreviousLive(environment.name);
  if (!previous) {
    log::Error("release: {} failed in {} ({}); no earlier healthy deployment to roll back to", version, environment.name, failure);
    return failed;
  }
  const std::string previous_version = previous.release->version;
  if (!auto_rollback) {
    log::Error("release: {} failed in {} ({}); roll back with: berth rollback {} --to {}", version, environment.name, failure,
               environment.name, previous_version);
    return failed;
  }
  step("rolling back " + environment.name + " to " + previous_version);
  RollbackRequest rollback;
  rollback.target = request.target;
  rollback.health = environment.health;
  AimRollback(project, environment, *previous.release, previous, rollback);
  DeployResult back = RollbackAndRecord(project, services, *target, ledger, rollback);
  if (!back.good) {
    log::Error("release: rollback to {} did not become healthy{}", previous_version,
               back.outcome ? "" : " (" + back.status.message() + ")");
  }
  return failed;
}

}  // namespace berth::host
