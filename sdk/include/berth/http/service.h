// The host's "http.request" service (berth_plugin_api.h): one HTTP exchange
// described as JSON, made with berth::http::Client (libcurl, loaded once, by
// the host), answered as JSON. berth serves plugins with it; the plugin test
// harness, compiled with the plugin's own compiler, serves it with the same
// code through the C function below, so a plugin's unit tests make real
// requests without the berth binary.
//
// Request: {"method", "url", "headers": [[name, value]...] (or {name: value}), "body" | "body_base64",
//   "timeout_ms", "connect_timeout_ms", "retry": {"attempts", "initial_backoff_ms",
//   "max_backoff_ms", "statuses"}, "tls": {"insecure_skip_verify", "ca_pem",
//   "client_cert_pem", "client_key_pem", "server_name"}, "follow_redirects",
//   "max_body_bytes", "proxy"}
// Reply: {"status", "headers": [[name, value]...], "body" | "body_base64",
//   "effective_url", "attempts"}
#ifndef BERTH_HTTP_SERVICE_H_
#define BERTH_HTTP_SERVICE_H_

#include <stddef.h>
#include <stdint.h>

#include "berth/abi/berth_plugin_api.h"

#ifdef __cplusplus
#include <nlohmann/json.hpp>

#include <atomic>

namespace berth::http {

// Any HTTP status is a reply. Throws Error(kFailure) naming the method and
// the URL (without its query) when no answer came, "timed out after N s"
// for a timeout; Error(kInterrupted) once `cancel` is set; Error(kInvalidInput)
// for a malformed request. Never logs a header or a body.
nlohmann::json ServeHttpRequest(const nlohmann::json& request, const std::atomic<bool>* cancel = nullptr);

}  // namespace berth::http

extern "C" {
#endif

// ServeHttpRequest over C (request and reply as JSON text), watching berth's
// interrupt flag: a berth_host_api.call for the service "http.request".
int32_t berth_http_request(const char* request, size_t request_size, berth_buffer* reply, berth_buffer* error);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // BERTH_HTTP_SERVICE_H_
