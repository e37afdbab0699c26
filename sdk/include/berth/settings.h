// Declared settings: what a plugin's factory accepts from berth.yaml, as a
// schema the host checks before the plugin sees anything.
//
//   registrar.AddTarget("paas", "Deploys to the in-house PaaS", MakeTarget, berth::SettingsSchema{
//       {"api", berth::Setting::Text("The PaaS API's base URL").Required().Endpoint()},
//       {"replicas", berth::Setting::WholeNumber("Instances to run").AtLeast(1).Default(2)},
//       {"timeout", berth::Setting::Duration("How long a rollout may take").Default(300)},
//   });
//
// The schema travels as JSON Schema (a subset, with x-berth-* extensions) in
// the plugin's description and manifest, so the host checks settings without
// loading the plugin, reports errors at berth.yaml:LINE:COL with a
// did-you-mean, and prints a JSON Schema of berth.yaml (`berth schema`).
//
// What a factory then receives is normalized: every declared key has its
// type (text stays the text written in YAML, `1.10` is "1.10"), defaults are
// filled in, a duration is a whole number of seconds, a path is absolute
// (relative ones are relative to the project folder, `~/` is the home
// folder), and unknown keys never arrive. A factory without a schema gets the
// settings as written, unchecked.
#ifndef BERTH_SETTINGS_H_
#define BERTH_SETTINGS_H_

#include <nlohmann/json.hpp>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace berth {

class SettingsSchema;

class Setting {
 public:
  static Setting Text(std::string description);
  static Setting WholeNumber(std::string description);
  static Setting Number(std::string description);
  static Setting Boolean(std::string description);
  // "90", "90s", "5m", "1h" in YAML; a whole number of seconds to the plugin.
  static Setting Duration(std::string description);
  // A file or folder; absolute by the time the plugin sees it.
  static Setting Path(std::string description);
  static Setting Choice(std::vector<std::string> values, std::string description);
  static Setting TextList(std::string description);
  // A map of names to text (labels, environment variables).
  static Setting TextMap(std::string description);
  static Setting ListOf(const Setting& item, std::string description);
  static Setting Group(const SettingsSchema& fields, std::string description);
  // Any YAML value, passed as written: for a setting of several shapes that
  // the plugin checks itself (the host still refuses unknown keys around it).
  static Setting Value(std::string description);

  Setting& Required();
  Setting& Default(nlohmann::json value);
  Setting& AtLeast(long long minimum);
  Setting& AtMost(long long maximum);
  // The value is a credential: the host redacts it from every log line.
  Setting& Secret();
  // What a project file must not choose before the user trusts the project:
  // a URL credentials are sent to, a file credentials are read from, a
  // program berth runs. The host reads these marks (docs/security.md).
  Setting& Endpoint();
  Setting& CredentialFile();
  Setting& Program();
  // A setting that makes the plugin hand the user's stored credentials
  // (a registry login) to a service other than the one they are for (a
  // cluster's API server, as an imagePullSecret): also trust's to give.
  Setting& ExportsCredentials();
  // An endpoint (implies Endpoint()) that gets a platform's stored
  // credentials (GH_TOKEN, a Google token): a URL, or a bare host[:port].
  // From berth.yaml the host accepts only a value on one of `hosts` (the
  // platform's own, "api.github.com"; "*.example.com" for any name below
  // it) or on a host the user's own config allows for `platform`
  // (credential-hosts: {github: [...]}), and https unless on this machine.
  // Defaults the plugin takes from the environment are the user's.
  Setting& CredentialHosts(std::string platform, std::vector<std::string> hosts);
  // Target settings only: the host's target commands (deploy, status,
  // rollback, history) accept --FLAG VALUE for this setting.
  Setting& CommandLineFlag(std::string flag);

  const nlohmann::json& ToJson() const { return schema_; }

 private:
  explicit Setting(nlohmann::json schema) : schema_(std::move(schema)) {}
  nlohmann::json schema_;
};

class SettingsSchema {
 public:
  // No schema: settings pass unchecked, as written.
  SettingsSchema() = default;
  SettingsSchema(std::initializer_list<std::pair<std::string, Setting>> fields);

  bool declared() const { return !schema_.is_null(); }
  // {"type": "object", "properties": {...}, "required": [...], "additionalProperties": false}.
  const nlohmann::json& ToJson() const { return schema_; }

 private:
  nlohmann::json schema_;
};

// Where settings came from, for messages and for the normalization of paths.
struct SettingsOrigin {
  std::string owner;     // "the k8s target", "the file secret store".
  std::string field;     // "environments.staging.target"; empty for settings not from a file.
  std::string base_dir;  // Relative paths are relative to this; empty: the current directory.
  // "berth.yaml:12:5" for a value at a JSON pointer below `field`, or "".
  std::function<std::string(const std::string& pointer)> locate;
  // The text a scalar was written with in YAML, when it was a scalar.
  std::function<std::optional<std::string>(const std::string& pointer)> scalar_text;
  // Called with each value of a setting marked Secret().
  std::function<void(const std::string& value)> on_secret;
  // Called with each value of a setting marked CredentialHosts() and its
  // mark ({"platform", "hosts"}): a message refuses the value. The host
  // sets it for berth.yaml only: what the user gives (--setting,
  // registries.yaml, the environment) is the user's to choose.
  std::function<std::optional<std::string>(const nlohmann::json& mark, const std::string& value)> credential_host_refusal;
};

// Checks `settings` against a JSON Schema made by SettingsSchema and returns
// them normalized (see the top of this file). Throws Error(kInvalidInput)
// with one line: "berth.yaml:12:5: environments.staging.target.replicas:
// must be a whole number (the k8s target)". A null schema returns the
// settings as they are.
nlohmann::json CheckSettings(const nlohmann::json& schema, const nlohmann::json& settings, const SettingsOrigin& origin);

// The settings' durations, whole seconds: for a plugin reading a setting it
// did not declare, or a command's argument. nullopt when malformed.
std::optional<long long> ParseDurationSeconds(const std::string& text);

}  // namespace berth

#endif  // BERTH_SETTINGS_H_
