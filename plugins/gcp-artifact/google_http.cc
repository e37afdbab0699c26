#include "google_http.h"

#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "berth/util/text.h"

namespace berth::gcp {

http::HostResponse SendWithRetry(http::HostRequest request, const http::RetryPolicy& policy) {
  request.retry.attempts = policy.attempts;
  request.retry.initial_backoff = policy.initial_backoff;
  request.retry.max_backoff = policy.max_backoff;
  return http::HostClient().Send(request);
}

std::string GoogleErrorMessage(const http::HostResponse& response) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  std::string message;
  if (body.is_object() && body.contains("error")) {
    const auto& error = body["error"];
    if (error.is_object()) {
      message = error.value("status", "");
      const std::string text = error.value("message", "");
      if (!text.empty()) message += (message.empty() ? "" : ": ") + text;
    } else if (error.is_string()) {
      message = error.get<std::string>();
      const std::string text = body.value("error_description", "");
      if (!text.empty()) message += ": " + text;
    }
  }
  if (message.empty()) message = "HTTP " + std::to_string(response.status);
  return Redact(StripControl(message));  // Server text: no terminal controls.
}

nlohmann::json ParseJsonBody(const http::HostResponse& response, const std::string& what) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) throw Error(ErrorCode::kFailure, what + ": the answer is not a JSON object");
  return body;
}

}  // namespace berth::gcp
