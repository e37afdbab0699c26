// Waits for a service's health URL to answer 2xx, through berth's HTTP
// service. Small on purpose: one GET at a time, no body kept.
#ifndef BERTH_PLUGINS_MICROS_HEALTH_PROBE_H_
#define BERTH_PLUGINS_MICROS_HEALTH_PROBE_H_

#include <chrono>
#include <string>

namespace berth::micros {

struct ProbeResult {
  long status = 0;       // HTTP status; 0 when no answer.
  std::string error;     // Why there was no answer.
  bool healthy() const { return status >= 200 && status < 300; }
  std::string Describe() const;  // "HTTP 503" or "connection refused ...".
};

// One GET. Throws Error(kInvalidInput) for a URL that is not http(s).
ProbeResult ProbeOnce(const std::string& url, std::chrono::milliseconds timeout);

struct WaitResult {
  bool healthy = false;
  int attempts = 0;
  ProbeResult last;
  std::chrono::milliseconds waited{0};
};

// Probes every `interval` until healthy or `timeout` has passed, logging
// each answer at info level.
WaitResult WaitHealthy(const std::string& url, std::chrono::seconds timeout, std::chrono::seconds interval);

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_HEALTH_PROBE_H_
