#include "core/config/user_config_keys.h"

#include <mutex>
#include <set>
#include <string>

#include "berth/util/log.h"
#include "berth/util/text.h"

namespace berth::host {

void WarnUnknownUserConfigKeys(const YAML::Node& root, const std::filesystem::path& file) {
  static const std::set<std::string> kKnown = {"trusted-plugin-keys", "credential-hosts"};
  static std::mutex mutex;
  static std::set<std::string> warned;
  if (!root.IsMap()) return;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (!warned.insert(file.string()).second) return;
  }
  for (const auto& entry : root) {
    std::string key;
    try {
      key = entry.first.as<std::string>();
    } catch (const YAML::Exception&) {
      continue;
    }
    if (kKnown.count(key) != 0) continue;
    log::Warn("{}:{}: unknown key '{}', ignored{}", file.string(), entry.first.Mark().line + 1, key, DidYouMean(key, kKnown));
  }
}

}  // namespace berth::host
