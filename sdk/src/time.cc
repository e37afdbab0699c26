#include "berth/util/time.h"

#include <cstdio>
#include <ctime>
#include <regex>

namespace berth {

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text) {
  static const std::regex kPattern(
      R"(^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$)");
  std::smatch match;
  if (!std::regex_match(text, match, kPattern)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(match[1]) - 1900;
  tm.tm_mon = std::stoi(match[2]) - 1;
  tm.tm_mday = std::stoi(match[3]);
  tm.tm_hour = std::stoi(match[4]);
  tm.tm_min = std::stoi(match[5]);
  tm.tm_sec = std::stoi(match[6]);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  auto time = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (match[7].matched) {
    std::string fraction = match[7].str().substr(1, 9);
    fraction.resize(9, '0');
    time += std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(std::stoll(fraction)));
  }
  if (match[9].matched) {
    auto offset = std::chrono::hours(std::stoi(match[10])) + std::chrono::minutes(std::stoi(match[11]));
    time += match[9] == "+" ? -offset : offset;
  }
  return time;
}

std::string FormatRfc3339(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string FormatRfc3339(int64_t unix_seconds) {
  return FormatRfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds)));
}

std::string NowRfc3339() { return FormatRfc3339(std::chrono::system_clock::now()); }

}  // namespace berth
