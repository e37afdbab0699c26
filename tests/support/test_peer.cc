#include "test_peer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "berth/http/client.h"

namespace berth::testing {

std::string SourceDir() { return BERTH_SOURCE_DIR; }

TestPeer::TestPeer(const std::string& script, std::vector<std::string> args) {
  // A bare name is one of the registry peers; a path is relative to the source tree.
  std::string path = script.find('/') == std::string::npos ? SourceDir() + "/tests/peers/registry/" + script : SourceDir() + "/" + script;
  std::vector<std::string> argv = {"/usr/bin/python3", path};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--exit-on-stdin-eof");
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  // The peer gives up on its own server after 15 s; a peer that hangs
  // anyway must fail this test with a reason, not stall it until ctest's
  // timeout.
  pollfd ready_fd{out[0], POLLIN, 0};
  if (poll(&ready_fd, 1, 60'000) <= 0) {
    kill(pid, SIGKILL);
    close(in[1]);
    close(out[0]);
    waitpid(pid, nullptr, 0);
    throw std::runtime_error(script + " gave no ready line within 60 s");
  }
  FILE* f = fdopen(out[0], "r");
  char* line = nullptr;
  size_t capacity = 0;
  ssize_t n = getline(&line, &capacity, f);
  std::string text = n > 0 ? std::string(line, size_t(n)) : std::string();
  free(line);
  fclose(f);
  if (text.empty()) {
    close(in[1]);
    waitpid(pid, nullptr, 0);
    throw std::runtime_error(script + " exited before its ready line");
  }
  pid_ = pid;
  stdin_fd_ = in[1];
  ready_ = nlohmann::json::parse(text);
}

TestPeer::~TestPeer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    close(stdin_fd_);
    waitpid(pid_, nullptr, 0);
  }
}

nlohmann::json TestPeer::GetJson(const std::string& url) {
  http::Client client;
  http::Request request;
  request.url = url;
  http::Response response = client.Send(request);
  return nlohmann::json::parse(response.body);
}

std::unique_ptr<TestPeer> StartRegistry(const std::string& mode, std::vector<std::string> args) {
  args.insert(args.begin(), {"--mode", mode});
  return std::make_unique<TestPeer>("registry_peer.py", std::move(args));
}

std::unique_ptr<TestPeer> StartSlowProxy(const std::string& upstream, int delay_ms, const std::string& methods) {
  return std::make_unique<TestPeer>("fault_proxy.py", std::vector<std::string>{"--upstream", upstream, "--max-faults", "0", "--drop-rate", "0",
                                                                               "--503-rate", "0", "--429-rate", "0", "--delay-ms",
                                                                               std::to_string(delay_ms), "--delay-methods", methods});
}

}  // namespace berth::testing
