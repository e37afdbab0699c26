// An environment's target, opened for a command: berth.yaml's target
// settings with the command line's on top (--set KEY=VALUE and the flags the
// target declares), after the trust check. Shared by the commands that act
// on an environment (deploy, status, history, rollback, url, promote).
#ifndef BERTH_HOST_COMMANDS_ENVIRONMENT_TARGET_H_
#define BERTH_HOST_COMMANDS_ENVIRONMENT_TARGET_H_

#include <memory>

#include "berth/command.h"
#include "berth/target.h"
#include "core/host.h"

namespace berth::host {

struct OpenedTarget {
  const EnvironmentConfig* environment;
  TargetQuery query;
  std::unique_ptr<Target> target;
};

// What a command does with the environment: a change, with
// signing.required, also has the signer read signatures.
enum class Use { kQuery, kChange };

// The environment named by the command's `environment` option.
OpenedTarget Open(Host& host, CommandContext& context, Use use);

}  // namespace berth::host

#endif  // BERTH_HOST_COMMANDS_ENVIRONMENT_TARGET_H_
