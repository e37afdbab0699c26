#include "berth/http/service.h"
#include "berth/util/host_services.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

#include "berth/abi/buffer.h"
#include "berth/abi/codec.h"
#include "berth/http/client.h"
#include "berth/http/host_client.h"
#include "berth/http/retry.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"

namespace berth::http {
namespace {

using std::chrono::milliseconds;

constexpr size_t kMaxBodyLimit = size_t(1) << 30;  // What a plugin may ask to buffer at most.
constexpr int kMaxAttempts = 20;

Error Invalid(const std::string& problem) { return Error(ErrorCode::kInvalidInput, "http.request: " + problem); }

// One client for the process: one connection pool, one TLS session cache.
Client& SharedClient() {
  static Client client;
  return client;
}

std::string Text(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return "";
  if (!it->is_string()) throw Invalid(std::string("'") + name + "' must be a string");
  return it->get<std::string>();
}

int64_t Number(const nlohmann::json& object, const char* name, int64_t fallback) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() && !it->is_number_unsigned()) throw Invalid(std::string("'") + name + "' must be a whole number");
  int64_t value = it->get<int64_t>();
  if (value < 0) throw Invalid(std::string("'") + name + "' must not be negative");
  return value;
}

bool Flag(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return false;
  if (!it->is_boolean()) throw Invalid(std::string("'") + name + "' must be true or false");
  return it->get<bool>();
}

const nlohmann::json& Object(const nlohmann::json& object, const char* name) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return kEmpty;
  if (!it->is_object()) throw Invalid(std::string("'") + name + "' must be an object");
  return *it;
}

struct Exchange {
  Request request;
  RetryPolicy retry;
  std::vector<int> retry_statuses;  // Empty: IsRetryableStatus.
  std::string what;                 // "GET https://host/path", for messages and logs.
};

Exchange Parse(const nlohmann::json& json, const std::atomic<bool>* cancel) {
  if (!json.is_object()) throw Invalid("the request must be a JSON object");
  Exchange exchange;
  Request& request = exchange.request;
  request.method = Text(json, "method");
  if (request.method.empty()) request.method = "GET";
  if (!std::all_of(request.method.begin(), request.method.end(), [](unsigned char c) { return std::isupper(c); })) {
    throw Invalid("method '" + request.method + "' must be upper-case letters");
  }
  request.url = Text(json, "url");
  if (!request.url.starts_with("http://") && !request.url.starts_with("https://")) {
    throw Invalid("url '" + UrlForMessages(request.url) + "' must start with http:// or https://");
  }
  exchange.what = request.method + " " + UrlForMessages(request.url);
  // [[name, value], ...], or {name: value} (what a JSON literal of pairs
  // often turns into; it cannot repeat a name).
  if (auto headers = json.find("headers"); headers != json.end() && !headers->is_null()) {
    std::vector<std::pair<std::string, nlohmann::json>> pairs;
    if (headers->is_object()) {
      for (const auto& [name, value] : headers->items()) pairs.emplace_back(name, value);
    } else if (headers->is_array()) {
      for (const auto& pair : *headers) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string()) throw Invalid("'headers' must be a list of [name, value] pairs");
        pairs.emplace_back(pair[0].get<std::string>(), pair[1]);
      }
    } else {
      throw Invalid("'headers' must be a list of [name, value] pairs");
    }
    for (auto& [name, value] : pairs) {
      if (!value.is_string()) throw Invalid("header '" + name + "' must have a string value");
      std::string text = value.get<std::string>();
      // A line break would start a header (or a request) of its own.
      if (name.empty() || name.find_first_of(":\r\n") != std::string::npos || text.find_first_of("\r\n") != std::string::npos) {
        throw Invalid("header '" + name + "' has a malformed name or value");
      }
      request.headers.emplace_back(std::move(name), std::move(text));
    }
  }
  if (json.contains("body_base64")) {
    std::optional<std::string> body = Base64Decode(Text(json, "body_base64"));
    if (!body) throw Invalid("'body_base64' is not base64");
    request.body = std::move(*body);
  } else {
    request.body = Text(json, "body");
  }
  request.timeout = milliseconds(Number(json, "timeout_ms", 0));
  request.connect_timeout = milliseconds(Number(json, "connect_timeout_ms", 0));
  request.follow_redirects = Flag(json, "follow_redirects");
  request.max_buffered_body = size_t(std::min<int64_t>(Number(json, "max_body_bytes", 8 << 20), kMaxBodyLimit));
  request.proxy = Text(json, "proxy");
  request.cancel = cancel;

  const nlohmann::json& tls_json = Object(json, "tls");
  if (!tls_json.empty()) {
    TlsSettings tls;
    tls.insecure_skip_verify = Flag(tls_json, "insecure_skip_verify");
    tls.ca_pem = Text(tls_json, "ca_pem");
    tls.client_cert_pem = Text(tls_json, "client_cert_pem");
    tls.client_key_pem = Text(tls_json, "client_key_pem");
    tls.server_name = Text(tls_json, "server_name");
    if (tls.client_cert_pem.empty() != tls.client_key_pem.empty()) {
      throw Invalid("'tls' needs both client_cert_pem and client_key_pem, or neither");
    }
    if (tls.server_name.find_first_of(":/@[] ") != std::string::npos) throw Invalid("'tls.server_name' must be a host name");
    request.tls = std::move(tls);
  }

  const nlohmann::json& retry = Object(json, "retry");
  exchange.retry.attempts = int(std::clamp<int64_t>(Number(retry, "attempts", 1), 1, kMaxAttempts));
  exchange.retry.initial_backoff = milliseconds(Number(retry, "initial_backoff_ms", 500));
  exchange.retry.max_backoff = milliseconds(Number(retry, "max_backoff_ms", 10000));
  if (auto statuses = retry.find("statuses"); statuses != retry.end() && !statuses->is_null()) {
    if (!statuses->is_array()) throw Invalid("'retry.statuses' must be a list of HTTP statuses");
    for (const auto& status : *statuses) {
      if (!status.is_number_integer()) throw Invalid("'retry.statuses' must be a list of HTTP statuses");
      exchange.retry_statuses.push_back(status.get<int>());
    }
  }
  return exchange;
}

// Sleeps, but wakes for Ctrl-C.
void Wait(milliseconds wait, const std::atomic<bool>* cancel, const std::string& what) {
  auto until = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < until) {
    if (cancel != nullptr && cancel->load()) throw Error(ErrorCode::kInterrupted, what + ": interrupted");
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(milliseconds(50), until - std::chrono::steady_clock::now()));
  }
}

std::string Tries(int attempt) { return attempt > 1 ? " (tried " + std::to_string(attempt) + " times)" : ""; }

nlohmann::json ReplyOf(const Response& response, int attempts) {
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : response.headers) {
    // Header values are the server's bytes: JSON text carries only UTF-8.
    if (IsValidUtf8(name) && IsValidUtf8(value)) headers.push_back({name, value});
  }
  nlohmann::json reply = {{"status", response.status},
                          {"headers", std::move(headers)},
                          {"effective_url", response.effective_url},
                          {"attempts", attempts}};
  if (IsValidUtf8(response.body)) {
    reply["body"] = response.body;
  } else {
    reply["body_base64"] = Base64Encode(response.body);
  }
  return reply;
}

}  // namespace

nlohmann::json ServeHttpRequest(const nlohmann::json& json, const std::atomic<bool>* cancel) {
  Exchange exchange = Parse(json, cancel);
  const Request& request = exchange.request;
  const std::string& what = exchange.what;
  const int attempts = exchange.retry.attempts;
  for (int attempt = 1;; ++attempt) {
    auto started = std::chrono::steady_clock::now();
    Response response;
    try {
      response = SharedClient().Send(request);
    } catch (const TransportError& error) {
      std::string detail = error.what();
      // The client names some failures itself ("GET URL: more than 5 redirects").
      std::string own = request.method + " " + request.url + ": ";
      if (detail.starts_with(own)) detail.erase(0, own.size());
      if (cancel != nullptr && cancel->load()) throw Error(ErrorCode::kInterrupted, what + ": interrupted");
      if (!error.retryable() || attempt >= attempts) throw Error(ErrorCode::kFailure, what + ": " + detail + Tries(attempt));
      log::Debug("{}: {}; trying again ({} of {})", what, detail, attempt + 1, attempts);
      Wait(exchange.retry.Backoff(attempt), cancel, what);
      continue;
    } catch (const Error& error) {
      if (error.code() == ErrorCode::kInterrupted) throw Error(ErrorCode::kInterrupted, what + ": interrupted");
      throw Error(error.code(), what + ": " + error.what());  // libcurl missing, say.
    }
    auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    log::Debug("{} -> HTTP {} ({} ms)", what, response.status, took.count());
    const auto& statuses = exchange.retry_statuses;
    bool retryable = statuses.empty() ? IsRetryableStatus(response.status)
                                      : std::find(statuses.begin(), statuses.end(), response.status) != statuses.end();
    if (!retryable || attempt >= attempts) return ReplyOf(response, attempt);
    std::optional<milliseconds> retry_after;
    if (auto header = response.Header("retry-after")) retry_after = ParseRetryAfter(*header);
    milliseconds wait = exchange.retry.Backoff(attempt, retry_after);
    log::Debug("{}: HTTP {}; trying again in {} ms ({} of {})", what, response.status, wait.count(), attempt + 1, attempts);
    Wait(wait, cancel, what);
  }
}

}  // namespace berth::http

namespace berth::http::internal {

// libberth-sdk's HostClient (the host itself, tests that link a plugin's
// code directly) is served here, in-process, by the same code.
nlohmann::json CallHttpService(const nlohmann::json& request) { return ServeHttpRequest(request, InterruptFlag()); }

}  // namespace berth::http::internal

extern "C" int32_t berth_http_request(const char* request, size_t request_size, berth_buffer* reply, berth_buffer* error) {
  return berth::abi::Answer(
      [&] {
        return berth::http::ServeHttpRequest(berth::abi::ParseJson(request, request_size, "request of http.request"),
                                             berth::InterruptFlag());
      },
      reply, error);
}

extern "C" int32_t berth_sdk_service(const char* service, const char* request, size_t request_size, berth_buffer* reply,
                                     berth_buffer* error) {
  std::string_view name = service != nullptr ? service : "";
  if (name == "http.request") return berth_http_request(request, request_size, reply, error);
  nlohmann::json (*serve)(const nlohmann::json&) = name == "process.run" ? &berth::ServeProcessRun
                                                   : name == "url.parse" ? &berth::ServeUrlParse
                                                   : name == "progress"  ? &berth::ServeProgress
                                                                         : nullptr;
  if (serve == nullptr) {
    berth::abi::Fill(error, "berth offers no service '" + std::string(name) + "'");
    return BERTH_STATUS_UNSUPPORTED;
  }
  return berth::abi::Answer([&] { return serve(berth::abi::ParseJson(request, request_size, "request")); }, reply, error);
}
