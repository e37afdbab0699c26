#include "berth/http/retry.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>

namespace berth::http {

std::chrono::milliseconds RetryPolicy::Backoff(int attempt, std::optional<std::chrono::milliseconds> retry_after) const {
  double base = double(initial_backoff.count());
  for (int i = 1; i < attempt; ++i) base *= multiplier;
  base = std::min(base, double(max_backoff.count()));
  thread_local std::mt19937 random(std::random_device{}());
  std::uniform_real_distribution<double> spread(1.0 - jitter, 1.0 + jitter);
  auto wait = std::chrono::milliseconds(int64_t(base * spread(random)));
  if (retry_after) wait = std::max(wait, std::min(*retry_after, max_retry_after));
  return wait;
}

bool IsRetryableStatus(int status) {
  switch (status) {
    case 408:
    case 429:
    case 499:
    case 500:
    case 502:
    case 503:
    case 504:
    case 522:
      return true;
    default:
      return false;
  }
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (value.size() > 9) return std::chrono::milliseconds(int64_t(999999999) * 1000);
    return std::chrono::milliseconds(std::stoll(std::string(value)) * 1000);
  }
  struct tm parsed {};
  std::string text(value);
  if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parsed) == nullptr) return std::nullopt;
  time_t when = timegm(&parsed);
  time_t now = time(nullptr);
  return std::chrono::milliseconds(std::max<int64_t>(0, int64_t(when - now)) * 1000);
}

}  // namespace berth::http
