#include "health_probe.h"

#include <algorithm>
#include <thread>

#include "berth/error.h"
#include "berth/http/host_client.h"
#include "berth/log.h"

namespace berth::micros {

std::string ProbeResult::Describe() const { return status != 0 ? "HTTP " + std::to_string(status) : error; }

ProbeResult ProbeOnce(const std::string& url, std::chrono::milliseconds timeout) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    throw Error(ErrorCode::kInvalidInput, "health URL '" + url + "' must start with http:// or https://");
  }
  http::HostRequest request;
  request.url = url;
  request.timeout = std::max(timeout, std::chrono::milliseconds(1));
  request.connect_timeout = request.timeout;
  request.follow_redirects = true;
  request.max_body_bytes = 1 << 20;
  request.headers = {{"User-Agent", "berth-micros-health"}};
  ProbeResult result;
  try {
    result.status = http::HostClient().Send(request).status;
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kFailure) throw;  // Ctrl-C, or no HTTP service at all.
    result.error = error.what();
    // The message names the call; the probe's log line already names the URL.
    std::string call = "GET " + http::UrlForMessages(url) + ": ";
    if (result.error.starts_with(call)) result.error.erase(0, call.size());
  }
  return result;
}

WaitResult WaitHealthy(const std::string& url, std::chrono::seconds timeout, std::chrono::seconds interval) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  WaitResult wait;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    // Each probe may take at most what is left (and at least a moment).
    wait.last = ProbeOnce(url, std::clamp(left, std::chrono::milliseconds(200), std::chrono::milliseconds(10000)));
    ++wait.attempts;
    wait.waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    log::Info("health {}: {} (attempt {}, {:.1f}s)", url, wait.last.Describe(), wait.attempts, wait.waited.count() / 1000.0);
    if (wait.last.healthy()) {
      wait.healthy = true;
      return wait;
    }
    if (Clock::now() >= deadline) return wait;
    // The last probe is at the deadline, so a timeout of N seconds gets N seconds.
    std::this_thread::sleep_until(std::min(Clock::now() + interval, deadline));
  }
}

}  // namespace berth::micros
