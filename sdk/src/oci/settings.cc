#include "berth/oci/settings.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>
#include <string>

#include "berth/error.h"
#include "berth/oci/reference.h"
#include "berth/util/text.h"

namespace berth::oci {
namespace fs = std::filesystem;
namespace {

int64_t ParseSize(const std::string& text, const std::string& where) {
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (...) {
    throw Error(ErrorCode::kInvalidInput, where + ": expected a size like 8388608 or 8MiB, got '" + text + "'");
  }
  std::string unit = text.substr(used);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  if (unit == "" || unit == "B") return value;
  if (unit == "KiB" || unit == "K") return value << 10;
  if (unit == "MiB" || unit == "M") return value << 20;
  if (unit == "GiB" || unit == "G") return value << 30;
  throw Error(ErrorCode::kInvalidInput, where + ": unknown size unit '" + unit + "' (B, KiB, MiB, GiB)");
}

nlohmann::json YamlToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& item : node) object[item.first.as<std::string>()] = YamlToJson(item.second);
    return object;
  }
  if (node.IsSequence()) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& item : node) array.push_back(YamlToJson(item));
    return array;
  }
  if (node.IsNull()) return nullptr;
  return node.as<std::string>();
}

RegistrySettings ParseEntry(const YAML::Node& node, const std::string& where) {
  RegistrySettings settings;
  if (!node.IsMap()) throw Error(ErrorCode::kInvalidInput, where + ": expected a mapping of settings");
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>();
    std::string at = where + "." + key;
    const YAML::Node& value = item.second;
    try {
      if (key == "plain-http") {
        settings.plain_http = value.as<bool>();
      } else if (key == "insecure-skip-verify") {
        settings.tls.insecure_skip_verify = value.as<bool>();
      } else if (key == "ca-file") {
        settings.tls.ca_file = value.as<std::string>();
      } else if (key == "client-cert") {
        settings.tls.client_cert = value.as<std::string>();
      } else if (key == "client-key") {
        settings.tls.client_key = value.as<std::string>();
      } else if (key == "http2") {
        settings.tls.http2 = value.as<bool>();
      } else if (key == "chunk-size") {
        settings.chunk_size = ParseSize(value.as<std::string>(), at);
      } else if (key == "concurrency") {
        settings.concurrency = value.as<int>();
        if (settings.concurrency < 1 || settings.concurrency > 64) throw Error(ErrorCode::kInvalidInput, at + ": expected 1 to 64");
      } else if (key == "retries") {
        settings.retry.attempts = value.as<int>() + 1;
        if (settings.retry.attempts < 1 || settings.retry.attempts > 20) throw Error(ErrorCode::kInvalidInput, at + ": expected 0 to 19");
      } else if (key == "retry-backoff-ms") {
        settings.retry.initial_backoff = std::chrono::milliseconds(value.as<int>());
      } else if (key == "plugin") {
        settings.plugin = value.as<std::string>();
      } else if (key == "settings") {
        settings.plugin_settings = YamlToJson(value);
      } else {
        static const std::set<std::string> kKnown = {"plain-http", "insecure-skip-verify", "ca-file", "client-cert", "client-key", "http2",
                                                     "chunk-size", "concurrency", "retries", "retry-backoff-ms", "plugin", "settings"};
        throw Error(ErrorCode::kInvalidInput, at + ": unknown setting" + DidYouMean(key, kKnown) + " (see docs/registry.md)");
      }
    } catch (const YAML::Exception&) {
      throw Error(ErrorCode::kInvalidInput, at + ": value of the wrong type");
    }
  }
  return settings;
}

}  // namespace

bool HostMatches(std::string_view pattern, std::string_view host) {
  if (pattern.empty()) return host.empty();
  if (pattern[0] == '*') {
    for (size_t i = 0; i <= host.size(); ++i) {
      if (HostMatches(pattern.substr(1), host.substr(i))) return true;
      if (i < host.size() && host[i] == '.') break;
    }
    return false;
  }
  if (host.empty()) return false;
  char a = char(std::tolower(static_cast<unsigned char>(pattern[0])));
  char b = char(std::tolower(static_cast<unsigned char>(host[0])));
  return a == b && HostMatches(pattern.substr(1), host.substr(1));
}

fs::path RegistryConfig::DefaultPath() {
  if (const char* explicit_path = std::getenv("BERTH_REGISTRIES_CONFIG"); explicit_path != nullptr && *explicit_path) return explicit_path;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg) return fs::path(xdg) / "berth" / "registries.yaml";
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : ".") / ".config" / "berth" / "registries.yaml";
}

RegistryConfig RegistryConfig::LoadDefault() {
  fs::path path = DefaultPath();
  if (!fs::exists(path)) return RegistryConfig();
  return Load(path);
}

RegistryConfig RegistryConfig::Load(const fs::path& path) {
  RegistryConfig config;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    throw Error(ErrorCode::kInvalidInput, path.string() + ": " + e.what());
  }
  if (root.IsNull()) return config;
  if (!root.IsMap()) throw Error(ErrorCode::kInvalidInput, path.string() + ": expected a mapping with 'registries'");
  for (const auto& item : root) {
    std::string key = item.first.as<std::string>();
    if (key != "registries") throw Error(ErrorCode::kInvalidInput, path.string() + ": unknown key '" + key + "' (expected 'registries')");
  }
  YAML::Node registries = root["registries"];
  if (!registries) return config;
  if (!registries.IsMap()) throw Error(ErrorCode::kInvalidInput, path.string() + ": registries: expected a mapping of host to settings");
  for (const auto& item : registries) {
    std::string host = item.first.as<std::string>();
    config.entries_[NormalizeRegistryHost(host)] = ParseEntry(item.second, path.string() + ": registries." + host);
  }
  return config;
}

RegistrySettings RegistryConfig::For(const std::string& host_text) const {
  std::string host = NormalizeRegistryHost(host_text);
  RegistrySettings settings;
  if (auto it = entries_.find(host); it != entries_.end()) {
    settings = it->second;
  } else {
    // The longest matching pattern is the most specific.
    size_t best = 0;
    for (const auto& [pattern, entry] : entries_) {
      if (pattern.find('*') != std::string::npos && HostMatches(pattern, host) && pattern.size() > best) {
        settings = entry;
        best = pattern.size();
      }
    }
  }
  if (concurrency_override_ > 0) settings.concurrency = concurrency_override_;
  return settings;
}

RegistrySettings& RegistryConfig::Entry(const std::string& host) {
  std::string key = NormalizeRegistryHost(host);
  auto it = entries_.find(key);
  if (it == entries_.end()) it = entries_.emplace(key, For(key)).first;
  return it->second;
}

void RegistryConfig::SetPlainHttp(const std::string& host) { Entry(host).plain_http = true; }
void RegistryConfig::SetInsecure(const std::string& host) { Entry(host).tls.insecure_skip_verify = true; }
void RegistryConfig::SetCaFile(const std::string& host, const std::string& file) { Entry(host).tls.ca_file = file; }
void RegistryConfig::SetClientCert(const std::string& host, const std::string& cert, const std::string& key) {
  Entry(host).tls.client_cert = cert;
  Entry(host).tls.client_key = key;
}

}  // namespace berth::oci
