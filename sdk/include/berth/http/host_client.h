// HTTP for plugins through berth's "http.request" host service
// (berth_plugin_api.h): the host makes the request with its own libcurl, so
// a plugin links no HTTP library, and gets timeouts, retries with backoff
// and Retry-After, in-memory TLS material and one-line errors naming the
// method and URL from the same code as every other plugin.
//
//   http::HostClient http;
//   nlohmann::json health = http.SendJson({.method = "GET", .url = base + "/v1/health"});
//
// Compiled into each plugin with the SDK runtime (sdk/runtime), so it needs
// nothing of berth's but the C table: an out-of-tree plugin that does not
// link libberth-sdk uses it as it is. In libberth-sdk itself (the host, and
// tests that link a plugin's code without loading it) the same calls are
// served in-process by the same implementation.
#ifndef BERTH_HTTP_HOST_CLIENT_H_
#define BERTH_HTTP_HOST_CLIENT_H_

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "berth/error.h"
#include "berth/secret.h"

namespace berth::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Tries in all (the first included). A retry happens on a transport error
// worth repeating (refused, reset, timed out) and on `statuses` (empty: 408,
// 429, 499, 500, 502, 503, 504, 522); a Retry-After longer than the backoff
// wins. Ask only where repeating the request is safe.
struct HostRetry {
  int attempts = 1;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{10000};
  std::vector<int> statuses;
};

// Verification is on unless insecure_skip_verify. ca_pem replaces the
// system's trust store for this request; the client certificate and key are
// PEM text, never written to a file.
struct HostTls {
  bool insecure_skip_verify = false;
  std::string ca_pem;
  std::string client_cert_pem;
  SecretValue client_key_pem;
  std::string server_name;  // Verify the certificate as this name (kubeconfig's tls-server-name).
};

struct HostRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;  // Sent as given; never logged by berth.
  std::string body;    // Any bytes (sent as base64 across the boundary when not UTF-8).
  std::chrono::milliseconds timeout{60000};          // The whole exchange, per try; 0: none.
  std::chrono::milliseconds connect_timeout{10000};  // 0: berth's default (30 s).
  HostRetry retry;
  HostTls tls;
  bool follow_redirects = false;  // GET and HEAD only; at most 5, never https -> http.
  size_t max_body_bytes = 8u << 20;  // A longer answer fails the request.
  std::string proxy;              // A proxy URL; empty: the environment's.
};

struct HostResponse {
  int status = 0;
  HeaderList headers;  // Names lowercased, in order.
  std::string body;
  std::string effective_url;
  int attempts = 1;  // Tries it took.
  std::optional<std::string> Header(std::string_view name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

class HostClient {
 public:
  // Any HTTP status is an answer. Throws Error(kFailure) when there is none
  // ("GET https://host/path: timed out after 10 s"), Error(kInterrupted) on
  // Ctrl-C, Error(kPlugin) when the host offers no HTTP service.
  HostResponse Send(const HostRequest& request) const;

  // A JSON API call: `body` (unless null) is sent as application/json and
  // JSON is asked for. Returns the parsed answer of a 2xx (null when empty);
  // any other status throws StatusError (below).
  nlohmann::json SendJson(HostRequest request, const nlohmann::json& body = nullptr) const;
};

// berth's exit code for an HTTP status: 401/403 kAuth, 404 kNotFound, 400,
// 409, 413, 415 and 422 kInvalidInput, anything else kFailure.
ErrorCode ErrorCodeForStatus(int status);

// The server's own short explanation of an error answer: a JSON body's
// "message", "error" (string, or object with "message"/"status"),
// "error_description" or "detail", else the body's first line; one line, at
// most 200 characters, without terminal controls. Empty when it has none.
std::string ShortErrorText(const HostResponse& response);

// Error(ErrorCodeForStatus(status), "METHOD URL: TEXT (HTTP 404)") with the
// URL as UrlForMessages shows it.
Error StatusError(const HostRequest& request, const HostResponse& response);

// The URL without userinfo, query and fragment: what messages and logs may
// show (a query can carry a token or a signature).
std::string UrlForMessages(std::string_view url);

bool IsValidUtf8(std::string_view text);

namespace internal {
// Where a HostClient's request goes: in a plugin, the host's "http.request"
// service through the C table (sdk/runtime/host_http_link.cc); in
// libberth-sdk, the service's implementation in-process (sdk/src/http/service.cc).
nlohmann::json CallHttpService(const nlohmann::json& request);
}  // namespace internal

}  // namespace berth::http

#endif  // BERTH_HTTP_HOST_CLIENT_H_
