#include "core/config/credential_hosts.h"

#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cctype>

#include "berth/error.h"
#include "berth/http/loopback.h"
#include "berth/http/url.h"
#include "berth/util/fs.h"
#include "berth/util/text.h"
#include "core/config/user_config_keys.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

// Where a value sends the credentials, as libcurl will connect: the parser
// is the HTTP client's own, so "https://api.github.com@evil.example" is
// evil.example here as it is there.
struct Place {
  std::string scheme;
  std::string host;  // Lowercase, without a trailing dot; "[::1]" for IPv6.
  int port = 0;
  int default_port = 0;

  // How the user would write it in credential-hosts.
  std::string Shown() const { return port == default_port ? host : host + ":" + std::to_string(port); }
};

std::optional<Place> PlaceOf(const std::string& value) {
  // A bare host[:port] (ghcr's `registry`) is reached over https.
  const std::string url = value.find("://") == std::string::npos ? "https://" + value : value;
  const std::string origin = http::UrlOrigin(url);  // scheme://host:port, lowercase, default port filled in.
  const size_t authority = origin.find("://");
  const size_t colon = origin.rfind(':');
  if (origin.empty() || authority == std::string::npos || colon <= authority + 3) return std::nullopt;
  Place place;
  place.scheme = origin.substr(0, authority);
  place.host = origin.substr(authority + 3, colon - authority - 3);
  while (place.host.size() > 1 && place.host.back() == '.') place.host.pop_back();
  try {
    place.port = std::stoi(origin.substr(colon + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  place.default_port = place.scheme == "https" ? 443 : place.scheme == "http" ? 80 : 0;
  return place;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A pattern split into host and port (0: none), or nullopt when it is none
// of "host", "host:port", "*.domain[:port]", "[v6][:port]".
std::optional<std::pair<std::string, int>> SplitPattern(std::string pattern) {
  pattern = Lower(pattern);
  std::string host = pattern, port;
  if (!pattern.empty() && pattern[0] == '[') {
    size_t end = pattern.find(']');
    if (end == std::string::npos) return std::nullopt;
    host = pattern.substr(0, end + 1);
    std::string rest = pattern.substr(end + 1);
    if (!rest.empty() && rest[0] != ':') return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
    if (host.find_first_not_of("[]0123456789abcdef:.") != std::string::npos || host.size() < 4) return std::nullopt;
  } else {
    if (size_t colon = pattern.find(':'); colon != std::string::npos) {
      host = pattern.substr(0, colon);
      port = pattern.substr(colon + 1);
    }
    const std::string name = host.rfind("*.", 0) == 0 ? host.substr(2) : host;
    while (!host.empty() && host.back() == '.') host.pop_back();
    if (name.empty() || name[0] == '.' || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") != std::string::npos) {
      return std::nullopt;
    }
  }
  int number = 0;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    number = std::stoi(port);
    if (number < 1 || number > 65535) return std::nullopt;
  }
  return std::make_pair(host, number);
}

std::string Joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace

bool CredentialHostMatches(const std::string& pattern, const std::string& host, int port, int default_port) {
  auto split = SplitPattern(pattern);
  if (!split) return false;
  const auto& [name, wanted_port] = *split;
  if (port != (wanted_port == 0 ? default_port : wanted_port)) return false;
  if (name.rfind("*.", 0) == 0) {
    const std::string domain = name.substr(1);  // ".example.com"
    return host.size() > domain.size() && host.compare(host.size() - domain.size(), domain.size(), domain) == 0;
  }
  return host == name;
}

std::map<std::string, std::vector<std::string>> ReadCredentialHosts(const fs::path& user_config) {
  std::error_code error;
  if (!fs::exists(user_config, error)) return {};
  const std::string file = user_config.string();
  YAML::Node root;
  try {
    root = YAML::Load(ReadFile(user_config));
  } catch (const YAML::Exception& e) {
    throw Error(ErrorCode::kInvalidInput, file + ": not valid YAML (line " + std::to_string(e.mark.line + 1) + ")");
  }
  WarnUnknownUserConfigKeys(root, user_config);
  if (!root.IsMap() || !root[kCredentialHostsKey]) return {};
  // The symbolic link a dotfiles manager makes is fine: what it points at
  // must be the user's (or root's) and closed to others' writes.
  struct stat info {};
  if (stat(user_config.c_str(), &info) != 0 || !S_ISREG(info.st_mode) || (info.st_uid != geteuid() && info.st_uid != 0) ||
      (info.st_mode & 022) != 0) {
    throw Error(ErrorCode::kInvalidInput, file + ": lists " + kCredentialHostsKey +
                                              " but is not a file of yours that only you may write, so berth allows none of "
                                              "them (chmod go-w " + file + ")");
  }
  const YAML::Node platforms = root[kCredentialHostsKey];
  const std::string how = " (credential-hosts: {github: [github.example.com, \"127.0.0.1:8443\"]})";
  if (!platforms.IsMap()) {
    throw Error(ErrorCode::kInvalidInput, file + ": " + kCredentialHostsKey + " must map platforms to lists of hosts" + how);
  }
  std::map<std::string, std::vector<std::string>> allowed;
  for (const auto& entry : platforms) {
    const std::string platform = entry.first.Scalar();
    const std::string at = file + ": " + kCredentialHostsKey + "." + StripControl(platform);
    if (!entry.second.IsSequence()) throw Error(ErrorCode::kInvalidInput, at + ": must be a list of hosts" + how);
    std::vector<std::string>& hosts = allowed[platform];
    for (size_t i = 0; i < entry.second.size(); ++i) {
      const YAML::Node item = entry.second[i];
      const std::string text = item.IsScalar() ? item.Scalar() : "";
      if (!SplitPattern(text)) {
        throw Error(ErrorCode::kInvalidInput, at + "[" + std::to_string(i) + "]: '" + StripControl(text) +
                                                  "' is not a host, host:port or *.domain");
      }
      hosts.push_back(Lower(text));
    }
  }
  return allowed;
}

const std::vector<std::string>& CredentialHostCheck::Allowed(const std::string& platform) {
  static const std::vector<std::string> kNone;
  if (!allowed_) allowed_ = ReadCredentialHosts(user_config_);
  auto it = allowed_->find(platform);
  return it == allowed_->end() ? kNone : it->second;
}

std::optional<std::string> CredentialHostCheck::Refusal(const nlohmann::json& mark, const std::string& value) {
  // A mark berth cannot read keeps the value out: it is a credential's way.
  if (!mark.is_object() || !mark.contains("platform") || !mark["platform"].is_string() || !mark.contains("hosts") ||
      !mark["hosts"].is_array()) {
    return "its plugin marks it as getting a platform's credentials, but not in a form berth reads (x-berth-credential-hosts)";
  }
  const std::string platform = mark["platform"].get<std::string>();
  std::vector<std::string> defaults;
  for (const auto& host : mark["hosts"]) {
    if (host.is_string()) defaults.push_back(host.get<std::string>());
  }
  const std::string shown_value = StripControl(value);
  std::optional<Place> place = PlaceOf(value);
  if (!place || place->default_port == 0) {
    return "'" + shown_value + "' is not an https URL, so it gets no " + platform + " credentials";
  }
  if (place->scheme != "https" && !http::IsLoopbackHost(place->host)) {
    return "'" + shown_value + "' is plain http to another machine; " + platform +
           " credentials go only over https (plain http only to 127.0.0.1, [::1] or localhost)";
  }
  for (const auto& pattern : defaults) {
    if (CredentialHostMatches(pattern, place->host, place->port, place->default_port)) return std::nullopt;
  }
  for (const auto& pattern : Allowed(platform)) {
    if (CredentialHostMatches(pattern, place->host, place->port, place->default_port)) return std::nullopt;
  }
  const std::string shown = StripControl(place->Shown());
  return shown + " is not a " + platform + " host (" + Joined(defaults) + ") and your berth config does not allow it, so it gets no " +
         platform + " credentials; if it is yours, add " + kCredentialHostsKey + ": {" + platform + ": [\"" + shown + "\"]} to " +
         user_config_.string();
}

}  // namespace berth::host
