#include "background_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace berth::testing {

BackgroundServer::BackgroundServer(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  int in[2];
  int out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];

  std::string line;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd poll_fd{stdout_fd_, POLLIN, 0};
    if (left <= 0 || poll(&poll_fd, 1, int(left)) <= 0) break;
    char buffer[512];
    ssize_t got = read(stdout_fd_, buffer, sizeof(buffer));
    if (got <= 0) break;
    line.append(buffer, size_t(got));
  }
  if (line.find('\n') == std::string::npos) {
    std::string program = argv.empty() ? "" : argv.back();
    Stop();
    throw std::runtime_error("test server " + program + " printed no ready line: '" + line + "'");
  }
  ready_ = nlohmann::json::parse(line.substr(0, line.find('\n')));
}

BackgroundServer::~BackgroundServer() { Stop(); }

void BackgroundServer::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(20000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdin_fd_ = stdout_fd_ = -1;
}

}  // namespace berth::testing
