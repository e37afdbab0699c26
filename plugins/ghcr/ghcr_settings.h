// Where the ghcr plugin finds its registry host, GitHub API and token.
//
// Settings come from registries.yaml's `settings:` block for a host routed to
// `plugin: ghcr`, or from a secret store's `settings`; the environment
// fills in what they leave out:
//   api-url (alias api-base)  > BERTH_GHCR_API_URL > GITHUB_API_URL >
//     https://api.github.com for ghcr.io, https://HOST/api/v3 for containers.HOST
//   token-file                > BERTH_GHCR_TOKEN_FILE > GH_TOKEN > GITHUB_TOKEN
//     (GitHub Enterprise hosts: GH_ENTERPRISE_TOKEN, GITHUB_ENTERPRISE_TOKEN first)
//     > the docker config's entry for the registry host (packages API only)
//   username                  > GITHUB_ACTOR > "berth" (ghcr checks only the token)
#ifndef BERTH_PLUGINS_GHCR_GHCR_SETTINGS_H_
#define BERTH_PLUGINS_GHCR_GHCR_SETTINGS_H_

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "berth/secret.h"
#include "github_api.h"

namespace berth::ghcr {

inline constexpr char kDefaultHost[] = "ghcr.io";

using EnvFn = std::function<std::optional<std::string>(const std::string& name)>;
// The process environment; empty values count as unset.
std::optional<std::string> ProcessEnv(const std::string& name);

struct GhcrSettings {
  std::string registry_host = kDefaultHost;
  std::string api_url;             // Resolved, without a trailing slash.
  bool api_url_explicit = false;   // From settings or the environment, not derived from the host.
  std::string token_file;          // From settings or BERTH_GHCR_TOKEN_FILE.
  std::string username;            // For Basic auth at the registry's token service.
  std::string owner_type;          // "", "org" or "user": where packages live (found out when empty).
  std::chrono::seconds rate_limit_wait{60};
  std::string ca_file;             // Trust store for the API (GitHub Enterprise).
  // Secret store only.
  std::string repository;          // owner/repo
  std::string environment;         // A GitHub deployment environment; empty: repository secrets.

  // Throws Error(kInvalidInput) naming the setting for unknown keys or bad values.
  static GhcrSettings Parse(const nlohmann::json& settings, const EnvFn& env = ProcessEnv);
  // The same settings for registry `host` (a host routed to the plugin by registries.yaml).
  GhcrSettings WithHost(const std::string& host) const;
};

// https://api.github.com for ghcr.io, https://HOST/api/v3 for GitHub Enterprise's containers.HOST.
std::string DefaultApiUrl(const std::string& registry_host);

struct FoundToken {
  SecretValue token;
  std::string origin;  // "GH_TOKEN", "/path/file", "docker config (/home/u/.docker/config.json)".
};

// The first token of the order above; nullopt when there is none.
// `docker_config`: also look at the docker config's credentials for the host.
std::optional<FoundToken> FindToken(const GhcrSettings& settings, bool docker_config, const EnvFn& env = ProcessEnv);

// A GitHub API client for these settings and that token (may be null: unauthenticated).
ApiOptions MakeApiOptions(const GhcrSettings& settings, const std::optional<FoundToken>& token);

}  // namespace berth::ghcr

#endif  // BERTH_PLUGINS_GHCR_GHCR_SETTINGS_H_
