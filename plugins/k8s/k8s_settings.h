// The k8s plugin's settings, from berth.yaml: an environment's `target`
// block (docs/k8s.md lists every key) and a `secrets.settings` block.
// Unknown keys are refused by name, so a typo does not deploy silently.
#ifndef BERTH_PLUGINS_K8S_K8S_SETTINGS_H_
#define BERTH_PLUGINS_K8S_K8S_SETTINGS_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kube_client.h"

namespace berth::k8s {

// Which cluster, as whom, in which namespace.
struct ConnectionSettings {
  std::string kubeconfig;   // Resolved against the project folder when relative.
  std::string context;
  std::string namespace_name;
  bool in_cluster = false;
};

struct PortSetting {
  std::string name = "http";
  int container_port = 0;
  int service_port = 0;     // 0: the service does not expose this port.
  std::string protocol = "TCP";
};

struct EnvFromSetting {
  std::string kind;         // configMapRef | secretRef
  std::string name;
  std::string prefix;
  bool optional = false;
};

struct SecretRefSetting {
  std::string env;          // The variable in the container.
  std::string secret;
  std::string key;
  bool optional = false;
};

struct ServiceSetting {
  bool enabled = true;
  std::string name;         // Default: the deployment's name.
  std::string type = "ClusterIP";
  std::map<std::string, std::string> annotations;
};

inline constexpr char kPullSecretNone[] = "none";
inline constexpr char kPullSecretAuto[] = "auto";

struct TargetSettings {
  ConnectionSettings connection;
  std::string name;         // Deployment and Service name; default: berth.yaml's service.
  std::string container;    // Default: the name.
  std::optional<int> replicas;
  std::vector<PortSetting> ports;
  nlohmann::json resources;  // A core/v1 ResourceRequirements, as written.
  std::map<std::string, std::string> env;
  std::vector<EnvFromSetting> env_from;
  std::vector<SecretRefSetting> secret_refs;
  ServiceSetting service;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> pod_labels;
  std::map<std::string, std::string> pod_annotations;
  std::optional<int> progress_deadline_seconds;
  std::optional<int> revision_history_limit;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string service_account;
  std::vector<std::string> image_pull_secrets;
  // The imagePullSecret berth makes from its own credential for the image's
  // registry: kPullSecretNone (no credential leaves berth), kPullSecretAuto
  // (NAME-pull, when berth has a credential), or the Secret's name (berth
  // must have one). See pull_secret.h.
  std::string pull_secret = "none";
  bool create_namespace = false;
  bool probes = true;
  bool force_conflicts = false;
  std::string url;          // The service's public URL, when it has one.

  // Throws Error(kInvalidInput) "k8s target setting 'x': ...".
  static TargetSettings Parse(const nlohmann::json& settings);
};

struct SecretStoreSettings {
  ConnectionSettings connection;
  std::string secret = "berth-{environment}";  // The Secret's name; {environment} is replaced.

  static SecretStoreSettings Parse(const nlohmann::json& settings);
  std::string SecretName(const std::string& environment) const;
};

// A client for the connection, and the namespace to use (the setting, else
// the context's, else "default").
struct Cluster {
  std::unique_ptr<KubeClient> client;
  std::string namespace_name;
};
Cluster OpenCluster(const ConnectionSettings& connection);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_K8S_SETTINGS_H_
