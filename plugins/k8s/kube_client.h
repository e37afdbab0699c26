// A small Kubernetes API client over berth's HTTP service (the host makes
// the requests): HTTPS with the cluster's CA, client certificates (in
// memory), bearer tokens (also from files and exec plugins) and basic auth.
// Credentials are never logged; request and response bodies are never logged
// either (Secrets travel in them).
#ifndef BERTH_PLUGINS_K8S_KUBE_CLIENT_H_
#define BERTH_PLUGINS_K8S_KUBE_CLIENT_H_

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "berth/error.h"
#include "berth/http/host_client.h"
#include "exec_credential.h"
#include "kube_config.h"

namespace berth::k8s {

struct KubeResponse {
  long status = 0;
  std::string body;
};

// A failed API call, with the server's metav1.Status.
class KubeApiError : public Error {
 public:
  KubeApiError(ErrorCode code, const std::string& message, long http_status, nlohmann::json status)
      : Error(code, message), http_status_(http_status), status_(std::move(status)) {}
  long http_status() const { return http_status_; }
  std::string reason() const { return status_.is_object() ? status_.value("reason", "") : ""; }
  const nlohmann::json& status() const { return status_; }

 private:
  long http_status_;
  nlohmann::json status_;
};

// "path?a=1&b=x%2Fy": the parameters percent-encoded.
std::string WithQuery(const std::string& path, const std::vector<std::pair<std::string, std::string>>& query);

class KubeClient {
 public:
  explicit KubeClient(KubeAccess access, ExecCredentialCache& credentials = ExecCredentialCache::Shared());
  ~KubeClient();
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  const KubeAccess& access() const { return access_; }

  // Any HTTP status comes back; throws only when the server cannot be reached.
  KubeResponse Send(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::string& content_type = "");

  // Parsed JSON of a 2xx answer; throws KubeApiError otherwise.
  nlohmann::json Call(const std::string& method, const std::string& path, const std::string& body = "",
                      const std::string& content_type = "");
  nlohmann::json Get(const std::string& path) { return Call("GET", path); }
  // nullopt on 404.
  std::optional<nlohmann::json> GetIfExists(const std::string& path);

  // The error for a non-2xx answer (ApiErrorFrom, with this cluster named on a 401).
  KubeApiError ErrorFor(const std::string& method, const std::string& path, const KubeResponse& response) const;

 private:
  struct Credentials;
  // Throws Error(kFailure) naming the cluster when the server cannot be reached.
  KubeResponse SendOnce(const std::string& method, const std::string& path, const std::string& body,
                        const std::string& content_type, const Credentials& credentials);
  Credentials Resolve(bool refresh);

  KubeAccess access_;
  ExecCredentialCache& exec_credentials_;
  http::HostClient http_;
};

// The error for a non-2xx answer: the server's Status message, the call, and
// an exit code (401/403 kAuth, 404 kNotFound, 400/422 kInvalidInput, else kFailure).
KubeApiError ApiErrorFrom(const std::string& method, const std::string& path, const KubeResponse& response);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_KUBE_CLIENT_H_
