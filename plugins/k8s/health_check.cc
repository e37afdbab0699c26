#include "health_check.h"

#include <algorithm>
#include <thread>

#include "berth/error.h"
#include "berth/http/host_client.h"
#include "berth/version.h"

namespace berth::k8s {
namespace {

// One GET through berth's HTTP service: the HTTP status, or 0 and what went wrong.
long Probe(const std::string& url, std::chrono::milliseconds timeout, std::string& problem) {
  http::HostRequest request;
  request.url = url;
  request.timeout = timeout;
  request.connect_timeout = timeout;
  request.max_body_bytes = 1 << 20;
  request.headers = {{"User-Agent", std::string("berth/") + BERTH_SDK_VERSION + " (health check)"}};
  try {
    http::HostResponse response = http::HostClient().Send(request);
    problem = "HTTP " + std::to_string(response.status);
    return response.status;
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kFailure) throw;  // Ctrl-C, or no HTTP service at all.
    problem = error.what();
    // The message names the call; the poll's own messages already name the URL.
    std::string call = "GET " + http::UrlForMessages(url) + ": ";
    if (problem.starts_with(call)) problem.erase(0, call.size());
    return 0;
  }
}

}  // namespace

void WaitUntilHealthy(const HealthPoll& poll) {
  auto deadline = std::chrono::steady_clock::now() + poll.timeout;
  std::string last;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::string problem;
    long status = Probe(poll.url, std::clamp(left, std::chrono::milliseconds(1000), std::chrono::milliseconds(10000)), problem);
    if (status >= 200 && status <= 299) {
      if (poll.progress) poll.progress(poll.url + " is healthy (" + problem + ")");
      return;
    }
    if (problem != last && poll.progress) poll.progress("Waiting for " + poll.url + " to be healthy: " + problem);
    last = problem;
    if (std::chrono::steady_clock::now() + poll.interval >= deadline) {
      throw Error(ErrorCode::kDeploy, "health check of " + poll.url + " failed: still " + problem + " after " +
                                          std::to_string(poll.timeout.count() / 1000) + "s");
    }
    std::this_thread::sleep_for(poll.interval);
  }
}

}  // namespace berth::k8s
