// berth.yaml: the project file. Parsed into plain structs, every error named
// by file, line and column (docs/berth-yaml.md is the schema).
#ifndef BERTH_HOST_CORE_CONFIG_PROJECT_CONFIG_H_
#define BERTH_HOST_CORE_CONFIG_PROJECT_CONFIG_H_

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "berth/target.h"

namespace berth::host {

// Where each value of a plugin's settings block was written, so that the
// settings check (berth/settings.h) can point at berth.yaml:LINE:COL.
struct SettingsSource {
  struct Place {
    int line = 0;    // 1-based.
    int column = 0;  // 1-based.
    std::optional<std::string> scalar;  // The text as written, for scalars.
  };
  std::string field;                    // "environments.staging.target".
  std::map<std::string, Place> places;  // By JSON pointer below `field`; "" is the block itself.
};

struct BuildConfig {
  std::string context = ".";
  std::string dockerfile;            // Empty: berth's own builder unless a Dockerfile exists.
  std::vector<std::string> platforms;
  std::string builder = "auto";      // auto | docker | buildx | podman | buildah | berth
  nlohmann::json settings = nlohmann::json::object();  // The rest, for the chosen builder.
  SettingsSource source;
};

struct RegistryConfig {
  std::string name;                  // Defaults to the repository's host.
  std::string repository;            // host/path, no tag.
  std::string plugin;                // Empty: the plugin claiming the host, else the generic registry.
  nlohmann::json settings = nlohmann::json::object();
  SettingsSource source;
};

// A plugin the project needs (berth.yaml `plugins:`); `berth plugin lock`
// pins it in .berth/plugins.lock and `berth plugin sync` installs that.
struct ProjectPlugin {
  std::string name;
  std::string source;  // A published artifact: oci://HOST/REPO:TAG or HOST/REPO:TAG.
};

struct SigningConfig {
  std::string signer;                // Empty: the one installed signer (Host::Project fills it in).
  std::string key;
  std::string public_key;
  bool required = false;             // Refuse to deploy a digest that does not verify.
  nlohmann::json settings = nlohmann::json::object();
  SettingsSource source;
};

struct SecretsConfig {
  std::string store;                 // A secret-store kind.
  // Env files and .asap-configs (berth/util/secrets_source.h), relative to
  // the project; `from:` takes one path or a list.
  std::vector<std::string> from;
  std::vector<std::string> keys;     // Only these keys of them.
  nlohmann::json settings = nlohmann::json::object();
  SettingsSource source;
};

// One entry of `tags:`. Release tags are immutable: berth refuses to move a
// tag that already names another digest. A channel tag (edge, latest) that is
// meant to move with every release says so with `mutable: true`.
struct TagTemplate {
  std::string text;
  bool is_mutable = false;
  bool operator==(const TagTemplate&) const = default;
};

struct EnvironmentConfig {
  std::string name;
  std::string target;                // A target kind (k8s, micros).
  nlohmann::json target_settings = nlohmann::json::object();
  SettingsSource target_source;
  std::optional<SecretsConfig> secrets;
  std::optional<HealthCheck> health;
  bool immutable_tags = false;       // Kept for older files: every release tag is immutable now.
  std::string registry;              // registry/path this environment pulls from (berth promote); empty: the release's first.
};

struct ProjectConfig {
  std::filesystem::path file;
  std::filesystem::path dir;
  std::string service;
  std::string image;
  BuildConfig build;
  std::vector<TagTemplate> tags;
  int git_short_length = 7;          // Characters of {git.short}, as git and docker/metadata-action.
  std::vector<RegistryConfig> registries;
  std::optional<SigningConfig> signing;
  std::map<std::string, EnvironmentConfig> environments;
  std::vector<ProjectPlugin> plugins;
  std::filesystem::path ledger;      // releases.json
  std::filesystem::path ledger_markdown;  // RELEASES.md
  // Where berth's own fields that need trust were written ("signing.key"),
  // for the refusal's berth.yaml:LINE:COL.
  std::map<std::string, SettingsSource::Place> places;

  // Throws Error(kInvalidInput) "berth.yaml:LINE:COL: ..." for anything malformed.
  static ProjectConfig Load(const std::filesystem::path& file);
  static ProjectConfig Parse(const std::string& text, const std::filesystem::path& file);

  // Throws Error(kInvalidInput) naming the environment and the ones defined.
  const EnvironmentConfig& Environment(const std::string& name) const;
};

// "90", "90s", "5m", "1h" -> seconds (berth::ParseDurationSeconds, the dialect of
// declared settings). nullopt when malformed.
std::optional<std::chrono::seconds> ParseDuration(const std::string& text);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_PROJECT_CONFIG_H_
