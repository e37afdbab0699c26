#include "http_fetch.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "berth/error.h"
#include "berth/log.h"

namespace berth::asap {
namespace {

struct Transfer {
  HttpResponse* response;
  size_t limit;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (transfer->limit != 0 && transfer->response->body.size() + bytes > transfer->limit) {
    transfer->too_large = true;
    return 0;  // Aborts the transfer.
  }
  transfer->response->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    transfer->response->headers.clear();  // A new response (after a redirect or a 100).
  } else if (size_t colon = line.find(':'); colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    size_t start = value.find_first_not_of(' ');
    transfer->response->headers.emplace_back(line.substr(0, colon), start == std::string::npos ? "" : value.substr(start));
  }
  return size * count;
}

std::string NoProxyList() {
  std::string list = "localhost,127.0.0.1,::1";
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    if (const char* value = std::getenv(name); value != nullptr && value[0] != '\0') return std::string(value) + "," + list;
  }
  return list;
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
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw Error("cannot initialise libcurl");
  HttpResponse response;
  Transfer transfer{&response, request.max_response_bytes};
  struct curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
    log::Debug("> {}: {}", name, value);
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);
  char error[CURL_ERROR_SIZE] = {0};
  std::string no_proxy = NoProxyList();
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_NOPROXY, no_proxy.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, request.timeout_seconds);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, std::min(request.timeout_seconds, 10L));
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "berth-asap");
  if (request.follow_redirects) {
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 3L);
  }
  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" || !request.body.empty()) {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    bool sends_body = !request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
    if (sends_body) {
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
    }
  }
  log::Info("{} {}", request.method, request.url);
  CURLcode code = curl_easy_perform(handle);
  if (transfer.too_large) {
    throw Error(request.url + ": the response is larger than " + std::to_string(request.max_response_bytes) + " bytes");
  }
  if (code != CURLE_OK) throw Error(request.url + ": " + (error[0] != '\0' ? std::string(error) : curl_easy_strerror(code)));
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  log::Info("< HTTP {} ({} bytes)", response.status, response.body.size());
  return response;
}

}  // namespace berth::asap
