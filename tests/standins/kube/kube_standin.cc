#include "kube_standin.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace berth::testing {
namespace {

size_t Append(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

std::string ReadLog(const std::filesystem::path& file) {
  try {
    return ReadFile(file);
  } catch (...) {
    return "";
  }
}

}  // namespace

std::filesystem::path KubeStandinScript() { return std::filesystem::path(KUBE_STANDIN_DIR) / "kube_apiserver.py"; }

KubeStandin::KubeStandin() : KubeStandin(Options{}) {}

KubeStandin::KubeStandin(Options options) : dir_(std::make_unique<TempDir>("kube-standin")) {
  log_file_ = dir_->path() / "standin.log";
  std::vector<std::string> args = {"/usr/bin/python3", KubeStandinScript().string(), "--exit-on-stdin-eof",
                                   "--rollout-seconds", std::to_string(options.rollout_seconds)};
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  int log_fd = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(log_fd);
  if (error != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    pid_ = -1;
    throw std::runtime_error(std::string("cannot start the kube stand-in: ") + std::strerror(error));
  }
  stdin_fd_ = in_pipe[1];
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos) {
    int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    pollfd fd{out_pipe[0], POLLIN, 0};
    if (left <= 0 || poll(&fd, 1, left) <= 0) break;
    char buffer[4096];
    ssize_t n = read(out_pipe[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    line.append(buffer, size_t(n));
  }
  close(out_pipe[0]);
  info_ = nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false);
  if (!info_.is_object() || !info_.contains("url")) {
    std::string log = ReadLog(log_file_);
    Stop();
    throw std::runtime_error("the kube stand-in did not print its ready line; its log:\n" + log);
  }
}

KubeStandin::~KubeStandin() { Stop(); }

void KubeStandin::Stop() {
  if (stdin_fd_ >= 0) {
    close(stdin_fd_);
    stdin_fd_ = -1;
  }
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }
}

KubeStandin::Response KubeStandin::Call(const std::string& method, const std::string& path, const std::string& body,
                                        const std::string& content_type) const {
  CURL* curl = curl_easy_init();
  Response response;
  std::string url = this->url() + path;
  std::string authorization = "Authorization: Bearer " + token();
  std::string type = "Content-Type: " + content_type;
  curl_slist* headers = curl_slist_append(nullptr, authorization.c_str());
  headers = curl_slist_append(headers, type.c_str());
  headers = curl_slist_append(headers, "Accept: application/json");
  std::string ca = ca_file();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "berth-test-setup");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, long(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) throw std::runtime_error(std::string("stand-in call failed: ") + curl_easy_strerror(code));
  return response;
}

nlohmann::json KubeStandin::Requests() const { return Call("GET", "/_standin/requests").Json(); }

void KubeStandin::ClearRequests() const { Call("DELETE", "/_standin/requests"); }

}  // namespace berth::testing
