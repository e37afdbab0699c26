#include "berth/util/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "berth/util/redact.h"

namespace berth::log {
namespace {

std::atomic<Level> g_level{Level::kWarn};
std::atomic<bool> g_color{false};

spdlog::logger& Logger() {
  // Created on first use and never destroyed, so logging during exit is safe.
  static spdlog::logger* logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::never);
    auto* created = new spdlog::logger("berth", sink);
    created->set_pattern("%^%l%$: %v");
    created->set_level(spdlog::level::trace);
    return created;
  }();
  return *logger;
}

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kTrace: return spdlog::level::trace;
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
    case Level::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

void SetLevel(Level level) { g_level = level; }
Level GetLevel() { return g_level; }
bool Enabled(Level level) { return level >= g_level.load() && level != Level::kOff; }

void SetColor(bool enabled) {
  g_color = enabled;
  auto& sinks = Logger().sinks();
  if (!sinks.empty()) {
    static_cast<spdlog::sinks::stderr_color_sink_mt*>(sinks.front().get())
        ->set_color_mode(enabled ? spdlog::color_mode::always : spdlog::color_mode::never);
  }
}

void Emit(Level level, std::string_view message) { Logger().log(ToSpd(level), "{}", Redact(message)); }

}  // namespace berth::log
