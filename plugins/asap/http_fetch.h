// One HTTP request for the asap plugin (the key repository fetch and
// `berth asap curl`), made by berth's HTTP service (http::HostClient).
#ifndef BERTH_PLUGINS_ASAP_HTTP_FETCH_H_
#define BERTH_PLUGINS_ASAP_HTTP_FETCH_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace berth::asap {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;   // Logged at debug level, credentials as ***.
  std::string body;
  long timeout_seconds = 30;
  size_t max_response_bytes = 0;  // 0: no limit.
  bool follow_redirects = false;
};

struct HttpResponse {
  long status = 0;
  HttpHeaders headers;   // Names lowercased.
  std::string body;
};

// Only http and https. Loopback addresses never go through a proxy. Throws
// Error(kFailure, "<METHOD> <url>: <reason>") when no HTTP answer arrives.
HttpResponse HttpFetch(const HttpRequest& request);

// http://127.0.0.1..., http://localhost..., http://[::1]...
bool IsLoopbackUrl(const std::string& url);

}  // namespace berth::asap

#endif  // BERTH_PLUGINS_ASAP_HTTP_FETCH_H_
