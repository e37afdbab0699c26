// Calls to Google REST APIs (Artifact Registry, Secret Manager) with a bearer
// token from the credential chain: retried on 429/5xx (Retry-After honoured),
// a 401 refreshes the token once, and Google's error bodies become
// berth::Error with the exit code they mean.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_GOOGLE_API_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_GOOGLE_API_H_

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "berth/error.h"
#include "berth/http/retry.h"
#include "credential_chain.h"

namespace berth::gcp {

struct ApiAnswer {
  int status = 0;
  nlohmann::json body;      // Parsed JSON, or null.
  std::string message;      // Google's error message for non-2xx.
};

class GoogleApi {
 public:
  explicit GoogleApi(std::shared_ptr<CredentialChain> credentials);

  // Any status comes back; throws on transport errors and missing credentials.
  ApiAnswer Send(const std::string& method, const std::string& url, const std::optional<nlohmann::json>& body,
                 const std::string& what);
  // Send, then Error for anything but 2xx (see ErrorFor).
  nlohmann::json Call(const std::string& method, const std::string& url, const std::optional<nlohmann::json>& body,
                      const std::string& what);

  void set_retry_policy(const http::RetryPolicy& policy) { retry_ = policy; }

 private:
  std::shared_ptr<CredentialChain> credentials_;
  http::RetryPolicy retry_;
};

// 400 -> kInvalidInput, 401/403 -> kAuth, 404 -> kNotFound, else kFailure;
// the message is "<what>: HTTP <status> <STATUS>: <Google's message>".
Error ErrorFor(const ApiAnswer& answer, const std::string& what);

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_GOOGLE_API_H_
