// One HTTP exchange with a Google endpoint through berth's HTTP service,
// tried again the way Google asks clients to: on connection errors, 408, 429
// and 5xx, with exponential backoff and the server's Retry-After when it is
// longer (the service's retry option does it).
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_GOOGLE_HTTP_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_GOOGLE_HTTP_H_

#include <nlohmann/json.hpp>

#include <string>

#include "berth/http/host_client.h"
#include "berth/http/retry.h"

namespace berth::gcp {

// The last answer (which may be an error status); throws Error(kFailure)
// naming the method and URL when the last try got no answer at all, or
// Error(kInterrupted). Only policy's attempts and backoff bounds are used.
http::HostResponse SendWithRetry(http::HostRequest request, const http::RetryPolicy& policy);

// The message of a Google error body: {"error": {"code", "message", "status"}}
// for APIs, {"error", "error_description"} for OAuth endpoints; else the
// status line. Never includes request data.
std::string GoogleErrorMessage(const http::HostResponse& response);

// Parses a 2xx JSON body; throws Error(kFailure) naming `what` otherwise.
nlohmann::json ParseJsonBody(const http::HostResponse& response, const std::string& what);

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_GOOGLE_HTTP_H_
