// A tiny HTTP endpoint on 127.0.0.1 for health-check tests: it answers every
// request with the status the test sets, and counts requests.
#ifndef BERTH_TESTS_STANDINS_KUBE_HEALTH_ENDPOINT_H_
#define BERTH_TESTS_STANDINS_KUBE_HEALTH_ENDPOINT_H_

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace berth::testing {

class HealthEndpoint {
 public:
  explicit HealthEndpoint(int status = 200);
  ~HealthEndpoint();
  HealthEndpoint(const HealthEndpoint&) = delete;
  HealthEndpoint& operator=(const HealthEndpoint&) = delete;

  std::string url(const std::string& path = "/healthz") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  void set_status(int status) { status_ = status; }
  int requests() const { return requests_; }
  std::string last_path() const;

 private:
  void Serve();

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> status_;
  std::atomic<int> requests_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::string last_path_;
  std::thread thread_;
};

}  // namespace berth::testing

#endif  // BERTH_TESTS_STANDINS_KUBE_HEALTH_ENDPOINT_H_
