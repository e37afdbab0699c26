// A child process a test keeps running while it does other things (berth
// itself, to interrupt it mid-call as a terminal's Ctrl-C would). Stopped
// (SIGTERM, then SIGKILL) and reaped when the object goes away. Servers with a
// ready line: background_server.h.
#ifndef BERTH_TESTS_E2E_CHILD_PROCESS_H_
#define BERTH_TESTS_E2E_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace berth::testing {

class ChildProcess {
 public:
  struct Options {
    std::map<std::string, std::string> env;        // Added to (or replacing in) the inherited environment.
    std::optional<std::filesystem::path> cwd;
    bool own_process_group = false;                // Like a shell job: Signal() reaches its children too.
    std::optional<std::filesystem::path> stdout_file;  // Else inherited.
    std::optional<std::filesystem::path> stderr_file;  // Else inherited.
  };

  ChildProcess(const std::vector<std::string>& argv, const Options& options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signal_number);
  // The exit code, 128 + signal when killed, nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  bool group_ = false;
  bool reaped_ = false;
  int exit_code_ = -1;
  int stdin_fd_ = -1;
};

class BerthRunner;

// berth (BERTH_BINARY) with `args`, in `runner`'s environment and work folder,
// running beside the test; its output goes to runner.home()/<log>.out and .err.
std::unique_ptr<ChildProcess> StartBerth(const BerthRunner& runner, const std::vector<std::string>& args, const std::string& log);

}  // namespace berth::testing

#endif  // BERTH_TESTS_E2E_CHILD_PROCESS_H_
