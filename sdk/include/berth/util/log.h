// Logging to stderr. Every message is redacted before it is written.
#ifndef BERTH_UTIL_LOG_H_
#define BERTH_UTIL_LOG_H_

#include <fmt/format.h>

#include <string_view>

namespace berth::log {

enum class Level { kTrace = 0, kDebug = 1, kInfo = 2, kWarn = 3, kError = 4, kOff = 5 };

void SetLevel(Level level);
Level GetLevel();
bool Enabled(Level level);
void SetColor(bool enabled);
void Emit(Level level, std::string_view message);

template <typename... Args>
void Trace(fmt::format_string<Args...> format, Args&&... args) {
  if (Enabled(Level::kTrace)) Emit(Level::kTrace, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void Debug(fmt::format_string<Args...> format, Args&&... args) {
  if (Enabled(Level::kDebug)) Emit(Level::kDebug, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void Info(fmt::format_string<Args...> format, Args&&... args) {
  if (Enabled(Level::kInfo)) Emit(Level::kInfo, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void Warn(fmt::format_string<Args...> format, Args&&... args) {
  if (Enabled(Level::kWarn)) Emit(Level::kWarn, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void Error(fmt::format_string<Args...> format, Args&&... args) {
  if (Enabled(Level::kError)) Emit(Level::kError, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace berth::log

#endif  // BERTH_UTIL_LOG_H_
