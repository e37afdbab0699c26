#include "http_fetch.h"

#include <algorithm>
#include <cctype>

#include "berth/error.h"
#include "berth/http/host_client.h"
#include "berth/util/log.h"

namespace berth::asap {
namespace {

// Headers whose values are credentials: logged as *** whatever the
// redaction list holds.
std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

bool IsSensitive(const std::string& header) {
  std::string name = Lower(header);
  return name == "authorization" || name == "proxy-authorization" || name == "cookie" ||
         name.find("token") != std::string::npos || name.find("api-key") != std::string::npos ||
         name.find("secret") != std::string::npos;
}

}  // namespace

bool IsLoopbackUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  std::string rest = url.substr(scheme + 3);
  std::string host;
  if (!rest.empty() && rest[0] == '[') {
    host = rest.substr(0, rest.find(']') + 1);
  } else {
    host = rest.substr(0, rest.find_first_of(":/?#"));
  }
  if (host.find('@') != std::string::npos) return false;
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

HttpResponse HttpFetch(const HttpRequest& request) {
  http::HostRequest host_request;
  host_request.method = request.method;
  host_request.url = request.url;
  host_request.headers = request.headers;
  host_request.body = request.body;
  host_request.timeout = std::chrono::seconds(request.timeout_seconds);
  host_request.connect_timeout = std::chrono::seconds(std::min(request.timeout_seconds, 10L));
  host_request.follow_redirects = request.follow_redirects;
  host_request.max_body_bytes = request.max_response_bytes != 0 ? request.max_response_bytes : size_t(1) << 30;
  bool has_user_agent = false;
  for (const auto& [name, value] : request.headers) {
    log::Debug("> {}: {}", name, IsSensitive(name) ? "***" : value);
    has_user_agent = has_user_agent || Lower(name) == "user-agent";
  }
  if (!has_user_agent) host_request.headers.emplace_back("User-Agent", "berth-asap");
  log::Info("{} {}", request.method, request.url);
  http::HostResponse answer = http::HostClient().Send(host_request);
  for (auto& header : host_request.headers) std::fill(header.second.begin(), header.second.end(), '\0');
  HttpResponse response;
  response.status = answer.status;
  response.headers = std::move(answer.headers);
  response.body = std::move(answer.body);
  log::Info("< HTTP {} ({} bytes)", response.status, response.body.size());
  return response;
}

}  // namespace berth::asap
