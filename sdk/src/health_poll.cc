#include "berth/util/health_poll.h"

#include <algorithm>
#include <thread>

#include "berth/error.h"
#include "berth/http/host_client.h"
#include "berth/util/log.h"
#include "berth/version.h"

namespace berth {

std::string HealthAnswer::Describe() const { return status != 0 ? "HTTP " + std::to_string(status) : problem; }

HealthPoll HealthPoll::For(const HealthCheck& check, std::string url) {
  HealthPoll poll;
  poll.url = std::move(url);
  poll.timeout = check.timeout;
  poll.interval = check.interval;
  return poll;
}

std::string HealthVerdict::Problem(const HealthPoll& poll) const {
  return "health check of " + poll.url + " failed: still " + last.Describe() + " after " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(poll.timeout).count()) + "s (" +
         std::to_string(attempts) + (attempts == 1 ? " probe)" : " probes)");
}

HealthAnswer ProbeHealth(const std::string& url, std::chrono::milliseconds timeout, const std::string& user_agent) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    throw Error(ErrorCode::kInvalidInput, "health URL '" + url + "' must start with http:// or https://");
  }
  http::HostRequest request;
  request.url = url;
  request.timeout = std::max(timeout, std::chrono::milliseconds(1));
  request.connect_timeout = request.timeout;
  request.follow_redirects = true;
  request.max_body_bytes = 1 << 20;
  request.headers = {{"User-Agent", user_agent.empty() ? std::string("berth/") + BERTH_SDK_VERSION + " (health check)" : user_agent}};
  HealthAnswer answer;
  try {
    answer.status = http::HostClient().Send(request).status;
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kFailure) throw;  // Ctrl-C, or no HTTP service at all.
    answer.problem = error.what();
    // The message names the call; the poll's lines name the URL already.
    std::string call = "GET " + http::UrlForMessages(url) + ": ";
    if (answer.problem.starts_with(call)) answer.problem.erase(0, call.size());
  }
  return answer;
}

HealthVerdict PollHealth(const HealthPoll& poll) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const auto deadline = started + poll.timeout;
  HealthVerdict verdict;
  std::string told;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    // Each probe may take what is left, within reason.
    verdict.last = ProbeHealth(poll.url, std::clamp(left, std::chrono::milliseconds(200), std::chrono::milliseconds(10000)),
                               poll.user_agent);
    ++verdict.attempts;
    verdict.waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    std::string answer = verdict.last.Describe();
    log::Debug("health {}: {} (probe {}, {:.1f}s)", poll.url, answer, verdict.attempts, verdict.waited.count() / 1000.0);
    if (verdict.last.healthy()) {
      verdict.healthy = true;
      if (poll.progress) poll.progress(poll.url + " is healthy (" + answer + ")");
      return verdict;
    }
    if (answer != told && poll.progress) poll.progress("Waiting for " + poll.url + " to be healthy: " + answer);
    told = answer;
    if (Clock::now() >= deadline) return verdict;
    std::this_thread::sleep_until(std::min(Clock::now() + poll.interval, deadline));
  }
}

}  // namespace berth
