// In a plugin, log lines go to the host (berth_host_api.log), which redacts
// them and writes them at the level and in the colours the user chose; the
// plugin neither sets nor keeps a level of its own. Without a host (a unit
// test of plugin code) warnings and errors go to stderr.
#include <cstdio>

#include "berth/abi/host_link.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"

namespace berth::log {

static_assert(int(Level::kTrace) == BERTH_LOG_TRACE && int(Level::kDebug) == BERTH_LOG_DEBUG &&
              int(Level::kInfo) == BERTH_LOG_INFO && int(Level::kWarn) == BERTH_LOG_WARN &&
              int(Level::kError) == BERTH_LOG_ERROR);

void SetLevel(Level) {}
void SetColor(bool) {}

bool Enabled(Level level) {
  if (level == Level::kOff) return false;
  const berth_host_api* host = abi::Host();
  if (host == nullptr || host->log_enabled == nullptr) return level >= Level::kWarn;
  return host->log_enabled(host->host, static_cast<int32_t>(level)) != 0;
}

Level GetLevel() {
  for (Level level : {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (Enabled(level)) return level;
  }
  return Level::kOff;
}

void Emit(Level level, std::string_view message) {
  if (level == Level::kOff) return;
  const berth_host_api* host = abi::Host();
  if (host == nullptr || host->log == nullptr) {
    std::string line = Redact(message);
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    return;
  }
  host->log(host->host, static_cast<int32_t>(level), message.data(), message.size());
}

}  // namespace berth::log
