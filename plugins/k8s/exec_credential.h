// Runs kubeconfig exec credential plugins (client.authentication.k8s.io
// ExecCredential v1 and v1beta1) and caches their answers until they expire,
// as client-go does. A plugin's stdout holds a credential: it is parsed in
// memory and never logged, not even when it is malformed.
#ifndef BERTH_PLUGINS_K8S_EXEC_CREDENTIAL_H_
#define BERTH_PLUGINS_K8S_EXEC_CREDENTIAL_H_

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "berth/secret.h"
#include "kube_config.h"

namespace berth::k8s {

struct ExecCredential {
  SecretValue token;
  std::string client_cert_pem;
  SecretValue client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expires;  // None: valid until the server refuses it.
};

// Parses a plugin's stdout; throws Error naming the command, never quoting the output.
ExecCredential ParseExecCredential(const std::string& output, const ExecConfig& exec);

// The KUBERNETES_EXEC_INFO a plugin is given.
std::string ExecInfo(const ExecConfig& exec, const KubeAccess& cluster);

class ExecCredentialCache {
 public:
  // The process-wide cache: every client in this berth run shares one answer.
  static ExecCredentialCache& Shared();

  // A cached credential that has not expired, else runs the plugin.
  // `refresh` drops the cached one first (the server refused it).
  ExecCredential Get(const ExecConfig& exec, const KubeAccess& cluster, bool refresh = false);

  void Clear();

 private:
  std::mutex mutex_;
  std::map<std::string, ExecCredential> cache_;
};

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_EXEC_CREDENTIAL_H_
