#include "core/config/user_config_keys.h"

#include <mutex>
#include <set>
#include <string>

#include "berth/util/log.h"
#include "berth/util/text.h"

namespace berth::host {
namespace {

const std::set<std::string>& KnownKeys(ConfigScope scope) {
  static const std::set<std::string> kUser = {"trusted-plugin-keys", "credential-hosts", "plugin-policy"};
  // Which hosts may get a platform's credentials is each user's own choice.
  static const std::set<std::string> kSystem = {"trusted-plugin-keys", "plugin-policy"};
  return scope == ConfigScope::kUser ? kUser : kSystem;
}

std::string KeyOf(const YAML::Node& node) {
  try {
    return node.as<std::string>();
  } catch (const YAML::Exception&) {
    return "";
  }
}

}  // namespace

void WarnUnknownConfigKeys(const YAML::Node& root, const std::filesystem::path& file, ConfigScope scope) {
  static const std::set<std::string> kPolicyKeys = {"require-signatures", "user-keys"};
  static std::mutex mutex;
  static std::set<std::string> warned;
  if (!root.IsMap()) return;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (!warned.insert(file.string()).second) return;
  }
  const std::set<std::string>& known = KnownKeys(scope);
  const std::set<std::string>& other = KnownKeys(scope == ConfigScope::kUser ? ConfigScope::kSystem : ConfigScope::kUser);
  for (const auto& entry : root) {
    std::string key = KeyOf(entry.first);
    if (key.empty()) continue;
    if (known.count(key) == 0 && other.count(key) != 0) {
      log::Warn("{}:{}: '{}' is read from the user's config only, ignored here", file.string(), entry.first.Mark().line + 1, key);
      continue;
    }
    if (known.count(key) == 0) {
      log::Warn("{}:{}: unknown key '{}', ignored{}", file.string(), entry.first.Mark().line + 1, key, DidYouMean(key, known));
      continue;
    }
    if (key != "plugin-policy" || !entry.second.IsMap()) continue;
    for (const auto& setting : entry.second) {
      std::string name = KeyOf(setting.first);
      if (name.empty() || kPolicyKeys.count(name) != 0) continue;
      log::Warn("{}:{}: unknown key 'plugin-policy.{}', ignored{}", file.string(), setting.first.Mark().line + 1, name,
                DidYouMean(name, kPolicyKeys));
    }
  }
}

}  // namespace berth::host
