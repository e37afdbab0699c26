#include "terminal_session.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

extern char** environ;

namespace berth::testing {
namespace {

// Built before fork: the child only calls async-signal-safe functions.
struct ExecArgs {
  ExecArgs(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
    args = argv;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      std::string text = *entry;
      std::string name = text.substr(0, text.find('='));
      if (!env.count(name)) vars.push_back(text);
    }
    for (const auto& [name, value] : env) vars.push_back(name + "=" + value);
    for (auto& arg : args) arg_pointers.push_back(arg.data());
    arg_pointers.push_back(nullptr);
    for (auto& var : vars) env_pointers.push_back(var.data());
    env_pointers.push_back(nullptr);
  }
  std::vector<std::string> args;
  std::vector<std::string> vars;
  std::vector<char*> arg_pointers;
  std::vector<char*> env_pointers;
};

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

TerminalSession::TerminalSession(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                                 const std::filesystem::path& cwd) {
  ExecArgs exec(argv, env);
  std::string dir = cwd.string();
  pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
  if (pid_ < 0) throw std::runtime_error(std::string("forkpty: ") + std::strerror(errno));
  if (pid_ == 0) {
    if (chdir(dir.c_str()) != 0) _exit(126);
    execve(exec.arg_pointers[0], exec.arg_pointers.data(), exec.env_pointers.data());
    _exit(127);
  }
}

TerminalSession::~TerminalSession() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (master_ >= 0) close(master_);
}

bool TerminalSession::ReadSome(int timeout_ms) {
  pollfd fd{master_, POLLIN, 0};
  if (poll(&fd, 1, timeout_ms) <= 0) return false;
  char buffer[4096];
  ssize_t got = read(master_, buffer, sizeof(buffer));
  if (got <= 0) return false;  // EIO once the child has gone.
  transcript_.append(buffer, size_t(got));
  return true;
}

bool TerminalSession::Expect(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t from = 0;
  while (transcript_.find(text, from) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0 || !ReadSome(int(left))) return false;
  }
  return true;
}

void TerminalSession::Type(const std::string& keys) {
  if (write(master_, keys.data(), keys.size()) != ssize_t(keys.size())) throw std::runtime_error("cannot type on the pty");
}

int TerminalSession::Wait() {
  while (ReadSome(20000)) {
  }
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return ExitCode(status);
}

std::pair<int, std::string> RunWithoutTerminal(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                                               const std::filesystem::path& cwd) {
  ExecArgs exec(argv, env);
  std::string dir = cwd.string();
  int err[2];
  if (pipe(err) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(err[1], 2);
    close(err[0]);
    if (chdir(dir.c_str()) != 0) _exit(126);
    execve(exec.arg_pointers[0], exec.arg_pointers.data(), exec.env_pointers.data());
    _exit(127);
  }
  close(err[1]);
  std::string stderr_data;
  char buffer[4096];
  ssize_t got;
  while ((got = read(err[0], buffer, sizeof(buffer))) > 0) stderr_data.append(buffer, size_t(got));
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {ExitCode(status), stderr_data};
}

}  // namespace berth::testing
