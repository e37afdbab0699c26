#include "stash_store.h"

#include <algorithm>
#include <regex>

#include "berth/util/fs.h"
#include "berth/util/log.h"

namespace berth::micros {
namespace {

void CheckKey(const std::string& name) {
  static const std::regex kKey("[A-Za-z0-9_.-]{1,256}");
  if (!std::regex_match(name, kKey)) {
    throw Error(ErrorCode::kInvalidInput, "invalid stash key '" + name + "' (letters, digits, '_', '.', '-')");
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

StashStore::StashStore(StashSettings settings)
    : settings_(std::move(settings)), atlas_(settings_.atlas, settings_.atlas_timeout) {}

std::string StashStore::MicrosEnv(const std::string& environment) const {
  std::string env = settings_.env.value_or(environment);
  if (!IsMicrosName(env)) {
    throw Error(ErrorCode::kInvalidInput, "'" + env + "' is not a Micros environment name (lowercase letters, digits, "
                                          "'-'); map it with the store's env setting");
  }
  return env;
}

std::vector<std::string> StashStore::Keys(const std::string& env) {
  auto listed = atlas_.Try({"stash", "list", "-s", settings_.service, "-e", env});
  if (!listed.ok() && SaysNotFound(listed.status().message())) return {};  // No service yet: nothing stored.
  if (!listed.ok()) throw Error(ErrorCode::kFailure, "atlas micros stash list failed: " + listed.status().message());
  const nlohmann::json& answer = listed.value();
  if (!answer.contains("keys") || !answer["keys"].is_array()) {
    throw Error(ErrorCode::kFailure, "atlas micros stash list answered without a keys list");
  }
  std::vector<std::string> keys;
  for (const auto& key : answer["keys"]) {
    if (key.is_string()) keys.push_back(key.get<std::string>());
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

Status StashStore::Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept {
  return Capture([&] {
    CheckKey(name);
    std::string env = MicrosEnv(environment);
    // Reserved up front so that the buffer never moves and leaves a copy behind.
    std::string json;
    json.reserve(value.size() * 6 + name.size() + 16);
    json += '{';
    AppendJsonString(json, name);
    json += ": ";
    AppendJsonString(json, value.Reveal());
    json += "}\n";
    SecretValue content(std::move(json));
    PrivateTempFile file(content.Reveal(), ".json");
    const std::vector<std::string> set = {"stash", "set", "-s", settings_.service, "-e", env, "-f", file.path().string()};
    auto first = atlas_.Try(set);
    if (first.ok()) return;
    if (!settings_.create_service || !SaysNotFound(first.status().message())) {
      throw Error(ErrorCode::kFailure, "atlas micros stash set failed: " + first.status().message());
    }
    log::Info("Micros service {} does not exist yet; creating it (--no-sd) to hold its stash", settings_.service);
    atlas_.Run({"service", "create", "--service", settings_.service, "--no-sd"});
    atlas_.Run(set);
  });
}

Result<std::vector<std::string>> StashStore::List(const std::string& environment) noexcept {
  return CaptureResult([&] { return Keys(MicrosEnv(environment)); });
}

Status StashStore::Delete(const std::string& environment, const std::string& name) noexcept {
  return Capture([&] {
    CheckKey(name);
    std::string env = MicrosEnv(environment);
    auto keys = Keys(env);
    if (!std::binary_search(keys.begin(), keys.end(), name)) {
      throw Error(ErrorCode::kNotFound, "no stash key '" + name + "' for Micros service " + settings_.service + " in " + env);
    }
    atlas_.Run({"stash", "delete", "-s", settings_.service, "-e", env, "-k", name});
  });
}

}  // namespace berth::micros
