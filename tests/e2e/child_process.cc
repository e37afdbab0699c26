#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "berth_runner.h"

extern char** environ;

namespace berth::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const Options& options) : group_(options.own_process_group) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    if (!options.env.count(text.substr(0, text.find('=')))) env.push_back(text);
  }
  for (const auto& [name, value] : options.env) env.push_back(name + "=" + value);
  std::vector<char*> env_pointers, arg_pointers;
  for (auto& e : env) env_pointers.push_back(e.data());
  env_pointers.push_back(nullptr);
  std::vector<std::string> args = argv;
  for (auto& a : args) arg_pointers.push_back(a.data());
  arg_pointers.push_back(nullptr);

  int in_pipe[2] = {-1, -1};
  if (pipe2(in_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  if (options.stdout_file) {
    posix_spawn_file_actions_addopen(&actions, 1, options.stdout_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  if (options.stderr_file) {
    posix_spawn_file_actions_addopen(&actions, 2, options.stderr_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  if (options.cwd) posix_spawn_file_actions_addchdir_np(&actions, options.cwd->c_str());
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  if (group_) {
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
  }
  int error = posix_spawn(&pid_, args[0].c_str(), &actions, &attributes, arg_pointers.data(), env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(in_pipe[0]);
  stdin_fd_ = in_pipe[1];
  if (error != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(error));
  }
}

ChildProcess::~ChildProcess() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (pid_ > 0 && !reaped_) {
    if (!Wait(std::chrono::milliseconds(100))) {
      Signal(SIGTERM);
      if (!Wait(std::chrono::seconds(5))) {
        Signal(SIGKILL);
        Wait(std::chrono::seconds(5));
      }
    }
  }
}

void ChildProcess::Signal(int signal_number) {
  if (pid_ <= 0 || reaped_) return;
  kill(group_ ? -pid_ : pid_, signal_number);
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (reaped_) return exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      reaped_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (done < 0 && errno != EINTR) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::unique_ptr<ChildProcess> StartBerth(const BerthRunner& runner, const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv = {BERTH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess::Options options;
  options.env = runner.env();
  options.cwd = runner.work_dir();
  options.stdout_file = runner.home() / (log + ".out");
  options.stderr_file = runner.home() / (log + ".err");
  return std::make_unique<ChildProcess>(argv, options);
}

}  // namespace berth::testing
