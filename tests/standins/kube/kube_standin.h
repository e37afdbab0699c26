// Starts the Kubernetes API server stand-in (kube_apiserver.py) for a C++
// test, reads its ready line, and stops it (by its PID) when destroyed.
#ifndef BERTH_TESTS_STANDINS_KUBE_KUBE_STANDIN_H_
#define BERTH_TESTS_STANDINS_KUBE_KUBE_STANDIN_H_

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "berth/util/fs.h"

namespace berth::testing {

class KubeStandin {
 public:
  struct Options {
    double rollout_seconds = 0.3;  // How long a replica set takes to become ready.
  };
  struct Response {
    long status = 0;
    std::string body;
    nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
  };

  // Throws std::runtime_error with the stand-in's log when it does not start.
  KubeStandin();
  explicit KubeStandin(Options options);
  ~KubeStandin();
  KubeStandin(const KubeStandin&) = delete;
  KubeStandin& operator=(const KubeStandin&) = delete;

  const nlohmann::json& info() const { return info_; }
  std::string url() const { return info_.at("url"); }
  std::string kubeconfig() const { return info_.at("kubeconfig"); }
  std::string token() const { return info_.at("token"); }
  std::string viewer_token() const { return info_.at("viewer_token"); }
  std::string ca_file() const { return info_.at("ca_file"); }
  std::string client_cert() const { return info_.at("client_cert"); }
  std::string client_key() const { return info_.at("client_key"); }
  const std::filesystem::path& log_file() const { return log_file_; }

  // An API call as the admin user (for setting up and checking tests).
  Response Call(const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& content_type = "application/json") const;
  // The stand-in's request log (GET /_standin/requests), and clearing it.
  nlohmann::json Requests() const;
  void ClearRequests() const;

 private:
  void Stop();

  std::unique_ptr<TempDir> dir_;
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  nlohmann::json info_;
};

// The source tree's stand-in script.
std::filesystem::path KubeStandinScript();

}  // namespace berth::testing

#endif  // BERTH_TESTS_STANDINS_KUBE_KUBE_STANDIN_H_
