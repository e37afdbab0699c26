#include "health_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace berth::testing {

HealthEndpoint::HealthEndpoint(int status) : status_(status) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("health endpoint: cannot listen on 127.0.0.1");
  }
  socklen_t length = sizeof(address);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

HealthEndpoint::~HealthEndpoint() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::string HealthEndpoint::last_path() const {
  std::lock_guard lock(mutex_);
  return last_path_;
}

void HealthEndpoint::Serve() {
  while (!stop_) {
    pollfd fd{listen_fd_, POLLIN, 0};
    if (poll(&fd, 1, 50) <= 0) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::string request;
    char buffer[2048];
    while (request.find("\r\n\r\n") == std::string::npos) {
      pollfd in{client, POLLIN, 0};
      if (poll(&in, 1, 2000) <= 0) break;
      ssize_t n = read(client, buffer, sizeof(buffer));
      if (n <= 0) break;
      request.append(buffer, size_t(n));
    }
    size_t space = request.find(' ');
    {
      std::lock_guard lock(mutex_);
      last_path_ = space == std::string::npos ? "" : request.substr(space + 1, request.find(' ', space + 1) - space - 1);
    }
    ++requests_;
    int status = status_;
    std::string body = status >= 200 && status < 300 ? "ok" : "unhealthy";
    std::string response = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\nConnection: close\r\n\r\n" + body;
    ssize_t ignored = write(client, response.data(), response.size());
    (void)ignored;
    close(client);
  }
}

}  // namespace berth::testing
