#include "google_api.h"

#include "berth/util/redact.h"
#include "google_http.h"

namespace berth::gcp {

GoogleApi::GoogleApi(std::shared_ptr<CredentialChain> credentials) : credentials_(std::move(credentials)) {}

ApiAnswer GoogleApi::Send(const std::string& method, const std::string& url, const std::optional<nlohmann::json>& body,
                          const std::string& what) {
  for (int round = 0;; ++round) {
    AccessToken token = credentials_->Get();
    http::HostRequest request;
    request.method = method;
    request.url = url;
    request.headers = {{"Authorization", "Bearer " + token.token.Reveal()}, {"Accept", "application/json"}};
    if (body) {
      request.headers.push_back({"Content-Type", "application/json"});
      request.body = body->dump();
    }
    http::HostResponse response;
    try {
      response = SendWithRetry(request, retry_);
    } catch (const Error& error) {
      if (error.code() != ErrorCode::kFailure) throw;
      throw Error(ErrorCode::kFailure, what + ": " + Redact(error.what()));
    }
    // An expired or revoked token: one more try with a fresh one.
    if (response.status == 401 && round == 0) {
      credentials_->Invalidate(token);
      continue;
    }
    ApiAnswer answer;
    answer.status = response.status;
    answer.body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (answer.body.is_discarded()) answer.body = nullptr;
    if (response.status / 100 != 2) {
      answer.message = GoogleErrorMessage(response);
      if (response.status == 429 || response.status >= 500) answer.message += " (after " + std::to_string(response.attempts) + " attempts)";
    }
    return answer;
  }
}

nlohmann::json GoogleApi::Call(const std::string& method, const std::string& url, const std::optional<nlohmann::json>& body,
                               const std::string& what) {
  ApiAnswer answer = Send(method, url, body, what);
  if (answer.status / 100 != 2) throw ErrorFor(answer, what);
  if (!answer.body.is_object()) throw Error(ErrorCode::kFailure, what + ": the answer is not a JSON object");
  return answer.body;
}

Error ErrorFor(const ApiAnswer& answer, const std::string& what) {
  ErrorCode code = ErrorCode::kFailure;
  if (answer.status == 400) code = ErrorCode::kInvalidInput;
  if (answer.status == 401 || answer.status == 403) code = ErrorCode::kAuth;
  if (answer.status == 404) code = ErrorCode::kNotFound;
  return Error(code, what + ": HTTP " + std::to_string(answer.status) + " " + answer.message);
}

}  // namespace berth::gcp
