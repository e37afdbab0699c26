// HTTP on libcurl, for the registry client and for plugins that talk to web
// APIs. Bodies stream both ways through caller callbacks, so a 1 GiB blob
// passes through fixed-size buffers. Thread-safe: each request borrows one of
// the client's curl handles, whose live connections are reused.
//
// Nothing here logs a header: requests carry credentials.
#ifndef BERTH_HTTP_CLIENT_H_
#define BERTH_HTTP_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "berth/error.h"

namespace berth::http {

// TLS for one host. Verification is on unless insecure_skip_verify is set for
// that host; nothing turns it off globally.
struct TlsSettings {
  bool insecure_skip_verify = false;
  std::string ca_file;      // PEM bundle added as the trust store for this host.
  std::string client_cert;  // PEM client certificate (mutual TLS).
  std::string client_key;   // PEM key of client_cert.
  bool http2 = false;       // HTTP/1.1 unless asked: faster for big uploads to distribution.
  // The same in memory (a kubeconfig's certificate-authority-data, ...),
  // never written to a file. ca_pem replaces the system's trust store, as
  // kubectl trusts only the cluster's CA; the blobs win over the files.
  std::string ca_pem;
  std::string client_cert_pem;
  std::string client_key_pem;
  // Connect to the URL's host but name and verify the certificate as this
  // (kubeconfig's tls-server-name, Go's tls.Config.ServerName).
  std::string server_name;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  // The body: `body`, or when body_reader is set a stream read until it
  // returns 0. body_reader may throw to abort the request (the exception is
  // rethrown from Send).
  std::string body;
  std::function<size_t(char* buffer, size_t size)> body_reader;
  int64_t body_size = -1;  // Of a body_reader body; -1 sends it chunked.
  // Receives the body of a 2xx answer instead of Response::body. May throw to
  // abort. Other answers are always buffered (they are errors to report).
  std::function<void(const char* data, size_t size)> on_body;
  // Called once before the first on_body call, with the status and headers.
  std::function<void(const Response& head)> on_headers;
  size_t max_buffered_body = 8u << 20;  // A buffered body larger than this fails the request.
  // Only for GET/HEAD: blob storage redirects. At most 5, http(s) only, never
  // from https down to http; each hop uses its own host's TLS settings, and
  // Authorization is dropped once a hop leaves the request's origin.
  bool follow_redirects = false;
  const std::atomic<bool>* cancel = nullptr;
  // Zero: none. `timeout` bounds the whole exchange; running out throws a
  // retryable TransportError saying "timed out after N s" (not kInterrupted,
  // which is Ctrl-C). `connect_timeout` defaults to 30 s.
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds connect_timeout{0};
  // TLS for the request's own host instead of the client's resolver (hops
  // of a redirect to another host still ask the resolver).
  std::optional<TlsSettings> tls;
  // A proxy URL for this request (kubeconfig's proxy-url); empty: curl's
  // environment variables. Loopback addresses never go through a proxy.
  std::string proxy;
  // SSRF guard: refuse to connect to a private, loopback, link-local or
  // metadata address, checked on the address the socket is about to connect
  // to (a DNS name can resolve anywhere), on a fresh connection. Not checked
  // when a proxy is configured in the environment: the proxy connects.
  bool refuse_private_addresses = false;
};

struct Response {
  int status = 0;
  Headers headers;  // Names lowercased, in order; only the final answer's.
  std::string body;
  std::string effective_url;
  std::optional<std::string> Header(std::string_view name) const;
  std::vector<std::string> HeaderAll(std::string_view name) const;
};

// No HTTP answer at all: refused, reset, timed out, TLS failure.
class TransportError : public Error {
 public:
  TransportError(const std::string& message, bool retryable) : Error(ErrorCode::kFailure, message), retryable_(retryable) {}
  bool retryable() const noexcept { return retryable_; }

 private:
  bool retryable_;
};

class Client {
 public:
  // TLS settings for a host ("host" or "host:port"), asked per request.
  using TlsResolver = std::function<TlsSettings(const std::string& host)>;
  explicit Client(TlsResolver resolver = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Any HTTP status is returned; throws TransportError when there is none,
  // or whatever a body callback threw.
  Response Send(const Request& request);

 private:
  Response SendOne(const Request& request);  // One exchange, no redirect followed.
  struct Pool;
  std::unique_ptr<Pool> pool_;
  TlsResolver resolver_;
};

}  // namespace berth::http

#endif  // BERTH_HTTP_CLIENT_H_
