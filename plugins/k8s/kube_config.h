// Finds how to reach a Kubernetes API server the way kubectl does: an explicit
// kubeconfig, else the KUBECONFIG list merged (the first file to set a name
// wins), else ~/.kube/config, else the in-cluster service account.
#ifndef BERTH_PLUGINS_K8S_KUBE_CONFIG_H_
#define BERTH_PLUGINS_K8S_KUBE_CONFIG_H_

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "berth/secret.h"

namespace berth::k8s {

// users[].user.exec: a credential plugin such as gke-gcloud-auth-plugin.
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or v1beta1
  std::string command;      // Resolved against the kubeconfig's folder when it holds a '/'.
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string install_hint;
  std::string interactive_mode;  // Never | IfAvailable | Always (berth is never interactive).
  bool provide_cluster_info = false;
};

// Everything a client needs to talk to one cluster as one user.
struct KubeAccess {
  std::string source;        // "kubeconfig /a:/b, context dev" or "in-cluster service account", for messages.
  std::string context;
  std::string server;        // https://host:port[/prefix], no trailing slash.
  std::string namespace_name;  // The context's namespace; empty when it names none.

  std::string ca_pem;        // Empty: the system's CAs.
  std::string ca_file;       // Where ca_pem came from, for messages.
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;

  std::string client_cert_pem;
  SecretValue client_key_pem;
  SecretValue token;
  std::string token_file;    // Read again when the server refuses the token (projected tokens rotate).
  std::string username;
  SecretValue password;
  std::optional<ExecConfig> exec;
};

struct KubeConfigOptions {
  std::string kubeconfig;                  // --kubeconfig / settings.kubeconfig: exactly this file.
  std::optional<std::string> kubeconfig_env;  // $KUBECONFIG
  std::filesystem::path home;              // For ~/.kube/config.
  std::string context;                     // --context; empty: current-context.
  bool in_cluster = false;                 // Use the service account even when a kubeconfig exists.
  std::string service_host;                // $KUBERNETES_SERVICE_HOST
  std::string service_port;                // $KUBERNETES_SERVICE_PORT
  std::string pod_namespace;               // $POD_NAMESPACE
  std::filesystem::path service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";

  // Fills the environment-derived fields from this process's environment
  // ($BERTH_K8S_SERVICE_ACCOUNT_DIR moves the service account folder, for tests).
  static KubeConfigOptions FromEnvironment();
};

// Throws Error(kInvalidInput) naming the file and field for a malformed or
// incomplete kubeconfig, Error(kNotFound) when there is no configuration at all.
KubeAccess LoadKubeAccess(const KubeConfigOptions& options);

// The in-cluster configuration alone. Throws when not running in a cluster.
KubeAccess LoadInClusterAccess(const KubeConfigOptions& options);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_KUBE_CONFIG_H_
