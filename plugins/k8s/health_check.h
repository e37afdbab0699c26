// Polls a service's health URL until it answers 2xx or the time is up.
#ifndef BERTH_PLUGINS_K8S_HEALTH_CHECK_H_
#define BERTH_PLUGINS_K8S_HEALTH_CHECK_H_

#include <chrono>
#include <functional>
#include <string>

namespace berth::k8s {

struct HealthPoll {
  std::string url;
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
  std::chrono::milliseconds interval{std::chrono::seconds(2)};
  std::function<void(const std::string&)> progress;
};

// Throws Error(kDeploy) naming the URL and the last answer when it never
// became healthy.
void WaitUntilHealthy(const HealthPoll& poll);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_HEALTH_CHECK_H_
