// RFC 3339 timestamps, UTC, to the second ("2025-01-02T03:04:05Z"): what the
// ledger, install records, signatures, image configs and the APIs berth
// talks to (Kubernetes, GitHub) write. One definition for host and plugins.
#ifndef BERTH_UTIL_TIME_H_
#define BERTH_UTIL_TIME_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace berth {

// Also reads fractional seconds and numeric offsets, as the Kubernetes API
// may write them. nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text);
std::string FormatRfc3339(std::chrono::system_clock::time_point time);
std::string FormatRfc3339(int64_t unix_seconds);
std::string NowRfc3339();

}  // namespace berth

#endif  // BERTH_UTIL_TIME_H_
