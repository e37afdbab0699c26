// Starts a test server (a python tool following the contract in
// HELPER_CONTEXT: one JSON line on stdout when ready) and stops it by PID when
// the object goes away. Its stdin is a pipe we hold, so a server started with
// --exit-on-stdin-eof also goes when this test process dies.
#ifndef BERTH_TESTS_E2E_BACKGROUND_SERVER_H_
#define BERTH_TESTS_E2E_BACKGROUND_SERVER_H_

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace berth::testing {

class BackgroundServer {
 public:
  // Throws std::runtime_error when the program cannot start or prints no
  // ready line within `timeout`.
  explicit BackgroundServer(const std::vector<std::string>& argv,
                            std::chrono::milliseconds timeout = std::chrono::seconds(15));
  ~BackgroundServer();
  BackgroundServer(const BackgroundServer&) = delete;
  BackgroundServer& operator=(const BackgroundServer&) = delete;

  const nlohmann::json& ready() const { return ready_; }
  std::string url() const { return ready_.at("url").get<std::string>(); }

 private:
  void Stop();
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  nlohmann::json ready_;
};

}  // namespace berth::testing

#endif  // BERTH_TESTS_E2E_BACKGROUND_SERVER_H_
