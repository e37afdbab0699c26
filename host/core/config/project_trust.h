// Project trust: the settings of berth.yaml that may send the user's
// credentials somewhere, read them from a file, or run a program, and the
// user's record of having read them (`berth trust`), kept per project like
// direnv's `direnv allow` and mise's `mise trust` (docs/security.md).
//
// Plugins mark such settings in their schema (berth/settings.h: Endpoint(),
// CredentialFile(), Program(), ExportsCredentials()); berth's own is
// signing.key, the private key berth signs with. (A health check URL gets a GET without credentials, so
// it is no endpoint in this sense.) A plugin that declares no schema cannot
// say which of its settings are safe, so all of them need trust.
#ifndef BERTH_HOST_CORE_CONFIG_PROJECT_TRUST_H_
#define BERTH_HOST_CORE_CONFIG_PROJECT_TRUST_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "berth/plugin.h"
#include "core/config/project_config.h"

namespace berth::host {

// One setting berth.yaml writes that needs the project to be trusted.
struct TrustNeed {
  std::string field;  // "environments.staging.target.kubeconfig"
  std::string where;  // "berth.yaml:9:7"
  // "endpoint", "credential-file", "program", "credential-export" (it
  // hands the user's credentials to another service), or "undeclared" (a
  // setting of a plugin that declares no schema).
  std::string kind;
  std::string owner;  // "the k8s target"; empty for berth's own fields.
  nlohmann::json value;  // As written in berth.yaml.
  // A file inside the project that the setting names (a kubeconfig, a
  // script): its content counts too, since a commit can change it under
  // an unchanged setting. Empty otherwise.
  std::filesystem::path project_file;

  // "names an endpoint", "is given to the paas target, which ..."
  std::string Why() const;
};

// How the installed plugins' schemas are looked up: `schema` is nullopt when
// no installed plugin provides (kind, name), null JSON when the provider
// declares no schema; `names` lists the installed providers of a kind.
struct ProvidedSchemas {
  std::function<std::optional<nlohmann::json>(ProvidedKind kind, const std::string& name)> schema;
  std::function<std::vector<std::string>(ProvidedKind kind)> names;
};

// Every setting that `project`, as parsed (before plugin settings are
// normalized, so values are as written), writes and that needs trust, in the
// order of the file. Blocks of providers that are not installed are left
// out: nothing can use them.
std::vector<TrustNeed> FindTrustNeeds(const ProjectConfig& project, const ProvidedSchemas& schemas);

// sha256 (hex) of what trust is given to: each need's field, kind and value,
// and the content of the project file it names; not where in berth.yaml it
// is, so edits elsewhere in the file (comments, replicas) keep the trust.
std::string TrustDigest(const std::vector<TrustNeed>& needs);

// The needs whose field is one of `fields` or below one ("environments.
// staging.target" covers "environments.staging.target.kubeconfig").
std::vector<TrustNeed> NeedsUnder(const std::vector<TrustNeed>& needs, const std::vector<std::string>& fields);

enum class TrustState { kTrusted, kUntrusted, kChanged };

// One line per need: "berth.yaml:9:7: FIELD names an endpoint; this project
// is not trusted (run 'berth trust' after reading berth.yaml)".
std::vector<std::string> RefusalLines(const std::vector<TrustNeed>& needs, TrustState state, const std::string& file_name);

// BERTH_TRUST_PROJECT=1: CI's explicit opt-in (the environment is the
// runner's, never the repository's).
bool TrustedByEnvironment();

// What `berth trust` recorded for one project.
struct TrustRecord {
  std::string dir;         // berth.yaml's folder, symbolic links resolved.
  std::string file;        // "berth.yaml" (or the name --config gave).
  std::string sha256;      // TrustDigest when trusted.
  std::string trusted_at;  // RFC 3339.
  std::vector<std::string> settings;  // The fields trusted, for `berth trust --list`.
};

// The user's trust records: $XDG_CONFIG_HOME/berth/trusted-projects.json
// (default ~/.config/berth/...), mode 0600, written atomically.
class TrustStore {
 public:
  explicit TrustStore(std::filesystem::path path) : path_(std::move(path)) {}
  static TrustStore ForUser();

  const std::filesystem::path& path() const { return path_; }
  // Throws Error(kInvalidInput) naming the file when it is malformed, or
  // when another user owns it or others may write it (then anyone could
  // have trusted a project in the user's name).
  std::vector<TrustRecord> List() const;
  std::optional<TrustRecord> Find(const std::string& dir, const std::string& file) const;
  // Replaces the record of the same dir and file.
  void Add(const TrustRecord& record);
  // Removes every record of `dir`; returns how many there were.
  size_t Revoke(const std::string& dir);

 private:
  void Save(const std::vector<TrustRecord>& records) const;
  std::filesystem::path path_;
};

// berth.yaml's folder with symbolic links resolved: the key of its record.
std::string TrustKey(const std::filesystem::path& dir);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_CONFIG_PROJECT_TRUST_H_
