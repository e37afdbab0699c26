// When and how long to wait before trying a request again: exponential
// backoff with jitter, and the server's Retry-After when it gives one.
#ifndef BERTH_HTTP_RETRY_H_
#define BERTH_HTTP_RETRY_H_

#include <chrono>
#include <optional>
#include <string_view>

namespace berth::http {

struct RetryPolicy {
  int attempts = 5;                                     // Tries in all, the first included.
  std::chrono::milliseconds initial_backoff{500};
  double multiplier = 2.0;
  std::chrono::milliseconds max_backoff{10000};
  double jitter = 0.1;                                  // +-10 %.
  std::chrono::milliseconds max_retry_after{60000};     // A longer Retry-After is cut to this.

  // The wait before try number `attempt + 1` (attempt counts from 1).
  std::chrono::milliseconds Backoff(int attempt, std::optional<std::chrono::milliseconds> retry_after = std::nullopt) const;
};

// 408, 429, 500, 502, 503, 504 (and the proxies' 499/522).
bool IsRetryableStatus(int status);

// Retry-After as delta-seconds or an HTTP date; nullopt when unparsable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

}  // namespace berth::http

#endif  // BERTH_HTTP_RETRY_H_
