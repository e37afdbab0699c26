// Where a platform's stored credentials may go when berth.yaml names the
// place: a setting marked CredentialHosts() (berth/settings.h; the schema's
// "x-berth-credential-hosts": {"platform", "hosts"}) gets GH_TOKEN or a
// Google token, so its value from berth.yaml must be on one of the hosts the
// plugin declared for it (the platform's own) or on one the user allowed in
// their own config file, never in the project's:
//
//   # ~/.config/berth/config.yaml
//   credential-hosts:
//     github: [github.example.com, "127.0.0.1:8443"]
//     google: ["*.rep.googleapis.com"]
//
// and https unless the host is this machine. Trust (project_trust.h) says
// whether berth.yaml may choose an endpoint at all; this says which hosts
// even a trusted project may choose. The environment, the command line and
// registries.yaml are the user's and are not checked (docs/security.md).
#ifndef BERTH_HOST_CORE_CONFIG_CREDENTIAL_HOSTS_H_
#define BERTH_HOST_CORE_CONFIG_CREDENTIAL_HOSTS_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::host {

inline constexpr char kCredentialHostsKey[] = "credential-hosts";

// The allowances in the user's config file, by platform. A missing file or
// key allows nothing. Throws Error(kInvalidInput) naming the file for a
// malformed list or entry, and when the file lists hosts but is not the
// user's own or others may write it (then anyone could allow a host in the
// user's name).
std::map<std::string, std::vector<std::string>> ReadCredentialHosts(const std::filesystem::path& user_config);

// True when `pattern` ("host", "host:port", "*.domain", "[v6]:port"; no
// port: the scheme's default one) names `host` on `port`.
bool CredentialHostMatches(const std::string& pattern, const std::string& host, int port, int default_port);

// Checks the values of berth.yaml's marked settings against the plugin's
// hosts and the user's config file, which is read on first use: a project
// without such settings never reads it.
class CredentialHostCheck {
 public:
  explicit CredentialHostCheck(std::filesystem::path user_config) : user_config_(std::move(user_config)) {}

  // Why `value` (a URL, or host[:port] meaning https) of a setting with
  // `mark` may not get the platform's credentials, as the tail of a
  // one-line error; nullopt when it may.
  std::optional<std::string> Refusal(const nlohmann::json& mark, const std::string& value);

 private:
  const std::vector<std::string>& Allowed(const std::string& platform);

  std::filesystem::path user_config_;
  std::optional<std::map<std::string, std::vector<std::string>>> allowed_;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_CREDENTIAL_HOSTS_H_
