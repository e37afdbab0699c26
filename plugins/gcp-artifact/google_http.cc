#include "google_http.h"

#include <thread>

#include "berth/log.h"
#include "berth/redact.h"
#include "berth/text.h"

namespace berth::gcp {

http::Response SendWithRetry(http::Client& client, const http::Request& request, const http::RetryPolicy& policy,
                             const std::string& what) {
  for (int attempt = 1;; ++attempt) {
    std::optional<std::chrono::milliseconds> retry_after;
    try {
      http::Response response = client.Send(request);
      if (!http::IsRetryableStatus(response.status) || attempt >= policy.attempts) return response;
      if (auto header = response.Header("retry-after")) retry_after = http::ParseRetryAfter(*header);
      log::Debug("{}: HTTP {} ({}), trying again", what, response.status, Redact(GoogleErrorMessage(response)));
    } catch (const http::TransportError& error) {
      if (!error.retryable() || attempt >= policy.attempts) throw;
      log::Debug("{}: {}, trying again", what, Redact(error.what()));
    }
    std::this_thread::sleep_for(policy.Backoff(attempt, retry_after));
  }
}

std::string GoogleErrorMessage(const http::Response& response) {
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

nlohmann::json ParseJsonBody(const http::Response& response, const std::string& what) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) throw Error(ErrorCode::kFailure, what + ": the answer is not a JSON object");
  return body;
}

}  // namespace berth::gcp
