#include "gcp_settings.h"

#include "berth/error.h"
#include "berth/http/url.h"

namespace berth::gcp {
namespace {

std::string Text(const nlohmann::json& value, const std::string& at) {
  if (!value.is_string()) throw Error(ErrorCode::kInvalidInput, at + ": expected a string");
  return value.get<std::string>();
}

bool Bool(const nlohmann::json& value, const std::string& at) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text == "true" || text == "yes" || text == "1") return true;
    if (text == "false" || text == "no" || text == "0") return false;
  }
  throw Error(ErrorCode::kInvalidInput, at + ": expected true or false");
}

// A YAML list, or a comma/space separated string (--setting scopes=a,b).
std::vector<std::string> List(const nlohmann::json& value, const std::string& at) {
  std::vector<std::string> items;
  if (value.is_array()) {
    for (const auto& item : value) items.push_back(Text(item, at));
  } else {
    std::string text = Text(value, at), current;
    for (char c : text + ",") {
      if (c == ',' || c == ' ') {
        if (!current.empty()) items.push_back(current);
        current.clear();
      } else {
        current += c;
      }
    }
  }
  return items;
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

GcpSettings GcpSettings::Parse(const nlohmann::json& settings, std::string_view where) {
  GcpSettings parsed;
  if (settings.is_null()) return parsed;
  if (!settings.is_object()) throw Error(ErrorCode::kInvalidInput, std::string(where) + ": expected a mapping of settings");
  for (const auto& [key, value] : settings.items()) {
    const std::string at = std::string(where) + "." + key;
    if (key == "key-file") {
      parsed.key_file = Text(value, at);
    } else if (key == "token-uri") {
      parsed.token_uri = Text(value, at);
      CheckApiUrl(parsed.token_uri, at);
    } else if (key == "scopes") {
      parsed.scopes = List(value, at);
      if (parsed.scopes.empty()) throw Error(ErrorCode::kInvalidInput, at + ": expected at least one scope");
    } else if (key == "artifactregistry-url") {
      parsed.artifactregistry_url = TrimSlash(Text(value, at));
      CheckApiUrl(parsed.artifactregistry_url, at);
    } else if (key == "secretmanager-url") {
      parsed.secretmanager_url = TrimSlash(Text(value, at));
      CheckApiUrl(parsed.secretmanager_url, at);
    } else if (key == "metadata") {
      if (value.is_string() && value.get<std::string>() == "auto") {
        parsed.metadata = MetadataMode::kAuto;
      } else {
        parsed.metadata = Bool(value, at) ? MetadataMode::kAlways : MetadataMode::kNever;
      }
    } else if (key == "gcloud") {
      parsed.gcloud = Bool(value, at);
    } else if (key == "location") {
      parsed.location = Text(value, at);
    } else if (key == "project") {
      parsed.project = Text(value, at);
    } else if (key == "prefix") {
      parsed.prefix = Text(value, at);
    } else if (key == "replication-locations") {
      parsed.replication_locations = List(value, at);
    }  // Other keys never arrive: the host checked them against GcpSchema().
  }
  return parsed;
}

void CheckApiUrl(const std::string& url, std::string_view what) {
  const std::string scheme = http::UrlScheme(url);
  if (scheme == "https") return;
  if (scheme == "http") {
    std::string host = http::UrlHost(url);
    if (!host.empty() && host[0] == '[') {
      host = host.substr(0, host.find(']') + 1);
    } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
      host.resize(colon);
    }
    if (host == "127.0.0.1" || host == "localhost" || host == "[::1]") return;
    throw Error(ErrorCode::kInvalidInput, std::string(what) + ": '" + url +
                                              "' is plain http on a non-loopback host; credentials only travel over https");
  }
  throw Error(ErrorCode::kInvalidInput, std::string(what) + ": '" + url + "' is not an http(s) URL");
}

}  // namespace berth::gcp
