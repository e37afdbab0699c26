#include "berth/http/client.h"

#include "curl_api.h"
#include "private_address.h"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <mutex>

#include "berth/http/host_client.h"
#include "berth/http/url.h"
#include "berth/util/log.h"
#include "berth/version.h"

namespace berth::http {
namespace {

constexpr int kMaxRedirects = 5;
constexpr std::chrono::milliseconds kDefaultConnectTimeout{30000};

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

std::string Trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r' || text[end - 1] == '\n')) --end;
  return std::string(text.substr(begin, end - begin));
}

// Errors where trying again may help: the peer went away, or never answered.
bool IsRetryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SEND_FAIL_REWIND:  // curl retried a dead reused connection and cannot rewind a stream: we can.
    case CURLE_COULDNT_RESOLVE_HOST:
      return true;
    default:
      return false;
  }
}

struct Transfer {
  const Request* request = nullptr;
  Response* response = nullptr;
  std::exception_ptr error;
  size_t body_offset = 0;  // Of a string body.
  bool head_reported = false;
  bool too_large = false;
  bool guard_addresses = false;  // Request::refuse_private_addresses, unless a proxy connects for us.
  std::string refused_address;  // The SSRF guard refused to connect there.
};

// CURLOPT_OPENSOCKETFUNCTION: the one place that sees the address a
// connection is about to go to, after DNS and after curl's own URL
// normalisation ("2130706433", "0x7f.1" and friends are 127.0.0.1 here).
curl_socket_t OnOpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* transfer = static_cast<Transfer*>(user);
  if (transfer->guard_addresses && IsPrivateAddress(&address->addr)) {
    transfer->refused_address = AddressText(&address->addr);
    return CURL_SOCKET_BAD;  // curl tries the name's next address, if any.
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// Loopback never goes through a proxy, whatever no_proxy says.
std::string NoProxyList() {
  std::string list = "localhost,127.0.0.1,::1";
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return std::string(value) + "," + list;
  }
  return list;
}

// "2.5" or "10": a duration in seconds for messages.
std::string Seconds(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    text += "." + fraction;
  }
  return text;
}

// "host:port" or "[v6]:port" -> the host part as curl's CONNECT_TO wants it.
std::string HostWithoutPort(const std::string& host) {
  if (host.starts_with("[")) return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

std::string PortOf(const std::string& host, const std::string& scheme) {
  size_t colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) return host.substr(colon + 1);
  return scheme == "https" ? "443" : "80";
}

// The URL with its authority's host:port replaced (no userinfo is kept).
std::string WithHost(const std::string& url, const std::string& host_port) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  size_t start = scheme_end + 3;
  size_t end = url.find_first_of("/?#", start);
  return url.substr(0, start) + host_port + (end == std::string::npos ? "" : url.substr(end));
}

bool ProxyConfigured() {
  for (const char* name : {"https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy", "ALL_PROXY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return true;
  }
  return false;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new answer (after a redirect or a 100 Continue): forget the last one's headers.
    transfer->response->headers.clear();
    transfer->response->body.clear();
    transfer->head_reported = false;
    size_t space = line.find(' ');
    transfer->response->status = space == std::string_view::npos ? 0 : std::atoi(std::string(line.substr(space + 1, 3)).c_str());
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    transfer->response->headers.emplace_back(Lower(Trim(line.substr(0, colon))), Trim(line.substr(colon + 1)));
  }
  return size * count;
}

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t total = size * count;
  int status = transfer->response->status;
  bool stream = transfer->request->on_body && status >= 200 && status < 300;
  try {
    if (stream) {
      if (!transfer->head_reported) {
        transfer->head_reported = true;
        if (transfer->request->on_headers) transfer->request->on_headers(*transfer->response);
      }
      transfer->request->on_body(data, total);
    } else {
      if (transfer->response->body.size() + total > transfer->request->max_buffered_body) {
        transfer->too_large = true;
        return CURL_WRITEFUNC_ERROR;
      }
      transfer->response->body.append(data, total);
    }
  } catch (...) {
    transfer->error = std::current_exception();
    return CURL_WRITEFUNC_ERROR;
  }
  return total;
}

size_t OnRead(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t capacity = size * count;
  const Request& request = *transfer->request;
  if (request.body_reader) {
    try {
      return request.body_reader(buffer, capacity);
    } catch (...) {
      transfer->error = std::current_exception();
      return CURL_READFUNC_ABORT;
    }
  }
  size_t n = std::min(capacity, request.body.size() - transfer->body_offset);
  std::copy_n(request.body.data() + transfer->body_offset, n, buffer);
  transfer->body_offset += n;
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  return transfer->request->cancel != nullptr && transfer->request->cancel->load() ? 1 : 0;
}

}  // namespace

std::optional<std::string> Response::Header(std::string_view name) const {
  std::string key = Lower(name);
  for (const auto& [k, v] : headers) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Response::HeaderAll(std::string_view name) const {
  std::string key = Lower(name);
  std::vector<std::string> values;
  for (const auto& [k, v] : headers) {
    if (k == key) values.push_back(v);
  }
  return values;
}

struct Client::Pool {
  std::mutex mutex;
  std::vector<CURL*> idle;
  ~Pool() {
    for (CURL* handle : idle) Curl().easy_cleanup(handle);
  }
  CURL* Take() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!idle.empty()) {
        CURL* handle = idle.back();
        idle.pop_back();
        // Keeps live connections; forgets the last request's options.
        Curl().easy_reset(handle);
        return handle;
      }
    }
    CURL* handle = Curl().easy_init();
    if (handle == nullptr) throw Error(ErrorCode::kFailure, "cannot initialise libcurl");
    return handle;
  }
  void Give(CURL* handle) {
    std::lock_guard<std::mutex> lock(mutex);
    idle.push_back(handle);
  }
};

Client::Client(TlsResolver resolver) : pool_(std::make_unique<Pool>()), resolver_(std::move(resolver)) {}
Client::~Client() = default;

Response Client::Send(const Request& request) {
  if (!request.follow_redirects || (request.method != "GET" && request.method != "HEAD")) return SendOne(request);
  // Redirects are followed here, not by curl, so that each hop gets the TLS
  // settings of its own host (curl would carry a registry's CA file, client
  // certificate or skipped verification to a storage host) and so that the
  // Authorization header stays with the origin it was meant for.
  const std::string origin = UrlOrigin(request.url);
  Request hop = request;
  for (int redirects = 0;; ++redirects) {
    Response response = SendOne(hop);
    bool redirect = response.status == 301 || response.status == 302 || response.status == 303 || response.status == 307 ||
                    response.status == 308;
    std::optional<std::string> location = response.Header("location");
    if (!redirect || !location) return response;
    if (redirects >= kMaxRedirects) {
      throw TransportError(request.method + " " + request.url + ": more than " + std::to_string(kMaxRedirects) + " redirects", false);
    }
    std::string next = ResolveUrl(hop.url, *location);
    std::string scheme = UrlScheme(next);
    if (scheme != "http" && scheme != "https") {
      throw TransportError(request.method + " " + request.url + ": refusing a redirect to " + UrlOrigin(next) + " (not http(s))", false);
    }
    if (UrlScheme(hop.url) == "https" && scheme == "http") {
      throw TransportError(request.method + " " + request.url + ": refusing a redirect from https down to http (" + UrlOrigin(next) + ")",
                           false);
    }
    if (UrlOrigin(next) != origin) {
      std::erase_if(hop.headers, [](const auto& header) { return Lower(header.first) == "authorization"; });
      hop.tls.reset();  // A request's own CA and client certificate are for its own host.
    }
    hop.url = std::move(next);
  }
}

Response Client::SendOne(const Request& request) {
  CURL* handle = pool_->Take();
  struct Return {
    Pool* pool;
    CURL* handle;
    bool discard = false;
    ~Return() {
      if (discard) {
        Curl().easy_cleanup(handle);
      } else {
        pool->Give(handle);
      }
    }
  } give_back{pool_.get(), handle};

  Response response;
  Transfer transfer;
  transfer.request = &request;
  transfer.response = &response;

  const std::string host = UrlHost(request.url);
  TlsSettings tls = request.tls ? *request.tls : resolver_ ? resolver_(host) : TlsSettings{};
  // server_name: the URL names the certificate's host, CONNECT_TO the address.
  std::string url = request.url;
  curl_slist* connect_to = nullptr;
  if (!tls.server_name.empty()) {
    std::string port = PortOf(host, UrlScheme(url));
    std::string address = HostWithoutPort(host);
    url = WithHost(url, tls.server_name + ":" + port);
    connect_to = Curl().slist_append(nullptr, (tls.server_name + ":" + port + ":" + address + ":" + port).c_str());
    Curl().easy_setopt(handle, CURLOPT_CONNECT_TO, connect_to);
  }
  struct FreeList {
    curl_slist* list;
    ~FreeList() { Curl().slist_free_all(list); }
  } free_connect_to{connect_to};

  Curl().easy_setopt(handle, CURLOPT_URL, url.c_str());
  Curl().easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, OnOpenSocket);
  Curl().easy_setopt(handle, CURLOPT_OPENSOCKETDATA, &transfer);
  transfer.guard_addresses = request.refuse_private_addresses && !ProxyConfigured();
  if (transfer.guard_addresses) Curl().easy_setopt(handle, CURLOPT_FRESH_CONNECT, 1L);  // A pooled connection was never checked.
  Curl().easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  Curl().easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  Curl().easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  Curl().easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                     long((request.connect_timeout.count() > 0 ? request.connect_timeout : kDefaultConnectTimeout).count()));
  if (request.timeout.count() > 0) Curl().easy_setopt(handle, CURLOPT_TIMEOUT_MS, long(request.timeout.count()));
  if (!request.proxy.empty()) Curl().easy_setopt(handle, CURLOPT_PROXY, request.proxy.c_str());
  std::string no_proxy = NoProxyList();
  Curl().easy_setopt(handle, CURLOPT_NOPROXY, no_proxy.c_str());
  // A stalled transfer (under 1 byte/s for a minute) fails instead of hanging.
  Curl().easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  Curl().easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, 60L);
  Curl().easy_setopt(handle, CURLOPT_BUFFERSIZE, 512L * 1024);
  Curl().easy_setopt(handle, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
  Curl().easy_setopt(handle, CURLOPT_HTTP_VERSION, tls.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
  Curl().easy_setopt(handle, CURLOPT_USERAGENT, "berth/" BERTH_SDK_VERSION);
  Curl().easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, tls.insecure_skip_verify ? 0L : 1L);
  Curl().easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);
  if (!tls.ca_file.empty()) Curl().easy_setopt(handle, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.client_cert.empty()) Curl().easy_setopt(handle, CURLOPT_SSLCERT, tls.client_cert.c_str());
  if (!tls.client_key.empty()) Curl().easy_setopt(handle, CURLOPT_SSLKEY, tls.client_key.c_str());
  // Blobs are copied by curl (CURL_BLOB_COPY): these strings may go after setopt.
  curl_blob ca_blob{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_COPY};
  curl_blob cert_blob{const_cast<char*>(tls.client_cert_pem.data()), tls.client_cert_pem.size(), CURL_BLOB_COPY};
  curl_blob key_blob{const_cast<char*>(tls.client_key_pem.data()), tls.client_key_pem.size(), CURL_BLOB_COPY};
  if (!tls.ca_pem.empty()) {
    // Only this CA, not the system's as well (what kubectl does with a cluster's CA).
    Curl().easy_setopt(handle, CURLOPT_CAINFO, nullptr);
    Curl().easy_setopt(handle, CURLOPT_CAPATH, nullptr);
    Curl().easy_setopt(handle, CURLOPT_CAINFO_BLOB, &ca_blob);
  }
  if (!tls.client_cert_pem.empty()) {
    Curl().easy_setopt(handle, CURLOPT_SSLCERT_BLOB, &cert_blob);
    Curl().easy_setopt(handle, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!tls.client_key_pem.empty()) {
    Curl().easy_setopt(handle, CURLOPT_SSLKEY_BLOB, &key_blob);
    Curl().easy_setopt(handle, CURLOPT_SSLKEYTYPE, "PEM");
  }

  bool is_head = request.method == "HEAD";
  bool has_body = !request.body.empty() || request.body_reader || request.method == "PUT" || request.method == "POST" ||
                  request.method == "PATCH";
  if (is_head) {
    Curl().easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    Curl().easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    Curl().easy_setopt(handle, CURLOPT_READFUNCTION, OnRead);
    Curl().easy_setopt(handle, CURLOPT_READDATA, &transfer);
    int64_t size = request.body_reader ? request.body_size : int64_t(request.body.size());
    if (size >= 0) Curl().easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(size));
  }
  if (request.method != "GET" && request.method != "HEAD" && !(request.method == "PUT" && has_body)) {
    Curl().easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) headers = Curl().slist_append(headers, (name + ": " + value).c_str());
  // No "Expect: 100-continue" round trip before big bodies.
  headers = Curl().slist_append(headers, "Expect:");
  if (has_body && !is_head && request.body_reader && request.body_size < 0) {
    headers = Curl().slist_append(headers, "Transfer-Encoding: chunked");
  }
  Curl().easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  Curl().easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeader);
  Curl().easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  Curl().easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnWrite);
  Curl().easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  if (request.cancel != nullptr) {
    Curl().easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    Curl().easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, OnProgress);
    Curl().easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
  }
  char error_buffer[CURL_ERROR_SIZE] = {0};
  Curl().easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);

  // Never a header (credentials), nor the query (signatures, tokens).
  log::Trace("http {} {}", request.method, UrlForMessages(request.url));
  CURLcode code = Curl().easy_perform(handle);
  Curl().slist_free_all(headers);
  if (transfer.error) {
    give_back.discard = true;
    std::rethrow_exception(transfer.error);
  }
  if (code != CURLE_OK) {
    give_back.discard = true;
    if (transfer.too_large) {
      throw TransportError(request.method + " " + request.url + ": answer body larger than " +
                               std::to_string(request.max_buffered_body) + " bytes",
                           false);
    }
    if (code == CURLE_ABORTED_BY_CALLBACK) throw Error(ErrorCode::kInterrupted, "interrupted");
    if (!transfer.refused_address.empty()) {
      throw TransportError("refusing to connect to " + transfer.refused_address + " for " + UrlHost(request.url) +
                               ": a private, loopback or link-local address (SSRF guard)",
                           false);
    }
    if (code == CURLE_OPERATION_TIMEDOUT) {
      // Said as a timeout with the limit that ran out: never "interrupted",
      // and not curl's "Operation timed out after 10001 milliseconds".
      std::string_view what(error_buffer);
      bool connecting = what.find("onnection timed out") != std::string_view::npos ||
                        what.find("esolving timed out") != std::string_view::npos;
      std::chrono::milliseconds limit = request.timeout;
      if (connecting) {
        std::chrono::milliseconds connect = request.connect_timeout.count() > 0 ? request.connect_timeout : kDefaultConnectTimeout;
        if (limit.count() == 0 || connect < limit) limit = connect;
      }
      if (limit.count() > 0 && (connecting || what.starts_with("Operation timed out"))) {
        throw TransportError(std::string(connecting ? "connecting " : "") + "timed out after " + Seconds(limit) + " s", true);
      }
    }
    std::string detail = error_buffer[0] != '\0' ? error_buffer : Curl().easy_strerror(code);
    if (code == CURLE_SSL_CONNECT_ERROR && detail.find("wrong version number") != std::string::npos) {
      detail += " (the server speaks plain HTTP? see --plain-http HOST)";
    }
    throw TransportError(detail, IsRetryable(code));
  }
  char* effective = nullptr;
  Curl().easy_getinfo(handle, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective != nullptr) response.effective_url = effective;
  long status = 0;
  Curl().easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  response.status = int(status);
  log::Trace("http {} {} -> {}", request.method, UrlForMessages(request.url), response.status);
  return response;
}

}  // namespace berth::http
