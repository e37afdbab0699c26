// Host services libberth-sdk implements besides http.request
// (berth/http/service.h): "process.run", "url.parse" and "progress", their JSON as the
// boundary header documents it (berth/abi/berth_plugin_api.h). The host
// serves plugins with them; the plugin test harness, compiled with the
// plugin's own compiler, reaches them through the one C function below.
#ifndef BERTH_UTIL_HOST_SERVICES_H_
#define BERTH_UTIL_HOST_SERVICES_H_

#include <stddef.h>
#include <stdint.h>

#include "berth/abi/berth_plugin_api.h"

#ifdef __cplusplus
#include <nlohmann/json.hpp>

namespace berth {

// Runs a program with RunProcess. Throws Error(kInvalidInput) for a
// malformed request or an argv that holds a registered secret,
// Error(kFailure) when the program cannot be started.
nlohmann::json ServeProcessRun(const nlohmann::json& request);

// Parses (and resolves against "base") a URL with libcurl's parser, the one
// the HTTP client uses. Throws Error(kInvalidInput) for a malformed URL.
nlohmann::json ServeUrlParse(const nlohmann::json& request);

// Writes a progress line (ReportProgress, berth/progress.h).
nlohmann::json ServeProgress(const nlohmann::json& request);

}  // namespace berth

extern "C" {
#endif

// A berth_host_api.call for "http.request", "process.run", "url.parse" or
// "progress";
// any other service is BERTH_STATUS_UNSUPPORTED.
int32_t berth_sdk_service(const char* service, const char* request, size_t request_size, berth_buffer* reply,
                          berth_buffer* error);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // BERTH_UTIL_HOST_SERVICES_H_
