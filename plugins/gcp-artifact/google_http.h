// One HTTP exchange with a Google endpoint, tried again the way Google asks
// clients to: on connection errors, 408, 429 and 5xx, with exponential backoff
// and the server's Retry-After when it is longer.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_GOOGLE_HTTP_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_GOOGLE_HTTP_H_

#include <nlohmann/json.hpp>

#include <string>

#include "berth/http/client.h"
#include "berth/http/retry.h"

namespace berth::gcp {

// The last answer (which may be an error status); throws TransportError when
// the last try got no answer at all. `what` names the call in logs.
http::Response SendWithRetry(http::Client& client, const http::Request& request, const http::RetryPolicy& policy,
                             const std::string& what);

// The message of a Google error body: {"error": {"code", "message", "status"}}
// for APIs, {"error", "error_description"} for OAuth endpoints; else the
// status line. Never includes request data.
std::string GoogleErrorMessage(const http::Response& response);

// Parses a 2xx JSON body; throws Error(kFailure) naming `what` otherwise.
nlohmann::json ParseJsonBody(const http::Response& response, const std::string& what);

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_GOOGLE_HTTP_H_
