// `berth release --env`'s deploy step: deploys the release just recorded and,
// when it does not come up, says how to roll back or, with --auto-rollback,
// returns the environment to what was live there before it.
#ifndef BERTH_HOST_CORE_RELEASE_RELEASE_DEPLOY_H_
#define BERTH_HOST_CORE_RELEASE_RELEASE_DEPLOY_H_

#include <functional>
#include <string>

#include "berth/services.h"
#include "core/config/project_config.h"
#include "core/release/ledger.h"

namespace berth::host {

// The exit code: 0, or ErrorCode::kDeploy when the release did not come up
// (whether or not the rollback did). `step` prints a progress line.
int DeployRelease(const ProjectConfig& project, Services& services, Ledger& ledger, const EnvironmentConfig& environment,
                  const std::string& version, bool auto_rollback, const std::function<void(const std::string&)>& step);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_RELEASE_RELEASE_DEPLOY_H_
