// Polling a service's health URL, beside the Target interface: what a
// target's Deploy and Rollback do after the rollout when berth.yaml asks for
// a health check (HealthCheck, berth/target.h). The GETs go through berth's
// HTTP service, so Ctrl-C and TLS behave as everywhere else.
#ifndef BERTH_UTIL_HEALTH_POLL_H_
#define BERTH_UTIL_HEALTH_POLL_H_

#include <chrono>
#include <functional>
#include <string>

#include "berth/target.h"

namespace berth {

struct HealthAnswer {
  long status = 0;       // HTTP status; 0 when no answer came.
  std::string problem;   // Why no answer came ("connection refused"), without the URL.
  bool healthy() const { return status >= 200 && status <= 299; }
  std::string Describe() const;  // "HTTP 503", or the problem.
};

struct HealthPoll {
  std::string url;
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
  std::chrono::milliseconds interval{std::chrono::seconds(2)};
  std::string user_agent;  // Empty: "berth/<SDK version> (health check)".
  // Told each answer unlike the one before, and the healthy one, as a line
  // a person reads ("Waiting for URL to be healthy: HTTP 503").
  std::function<void(const std::string& line)> progress;

  // The poll berth.yaml's health block asks for, of `url` (the block's own
  // URL, or the one the target derived from its path).
  static HealthPoll For(const HealthCheck& check, std::string url);
};

struct HealthVerdict {
  bool healthy = false;
  int attempts = 0;
  HealthAnswer last;
  std::chrono::milliseconds waited{0};
  // The one line for DeployOutcome::problem when not healthy:
  // "health check of URL failed: still HTTP 503 after 120s (41 probes)".
  std::string Problem(const HealthPoll& poll) const;
};

// One GET of `url`, following redirects, keeping no body. Throws
// Error(kInvalidInput) for a URL that is not http(s), Error(kInterrupted)
// on Ctrl-C; any other failure is an answer with a problem.
HealthAnswer ProbeHealth(const std::string& url, std::chrono::milliseconds timeout, const std::string& user_agent = "");

// Probes every `interval` until an answer is 2xx or `timeout` has passed;
// the last probe is made at the deadline, so a timeout of N s gets N s.
HealthVerdict PollHealth(const HealthPoll& poll);

}  // namespace berth

#endif  // BERTH_UTIL_HEALTH_POLL_H_
