#include "kube_client.h"

#include <chrono>

#include "berth/http/url.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/text.h"
#include "berth/version.h"

namespace berth::k8s {

struct KubeClient::Credentials {
  SecretValue bearer;
  std::string client_cert_pem;
  SecretValue client_key_pem;
  bool refreshable = false;  // A token file or an exec plugin: worth asking again after a 401.
};

namespace {

constexpr std::chrono::milliseconds kConnectTimeout{10000};
constexpr std::chrono::milliseconds kRequestTimeout{60000};
constexpr int kAttempts = 3;

std::string Trim(std::string text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  size_t start = text.find_first_not_of(" \t\r\n");
  return start == std::string::npos ? "" : text.substr(start);
}

std::string PathOnly(const std::string& path) { return path.substr(0, path.find('?')); }

// The server's certificate did not verify (curl's wording through the host).
bool IsVerificationFailure(const std::string& detail) {
  return detail.find("certificate problem") != std::string::npos || detail.find("peer certificate") != std::string::npos ||
         detail.find("certificate verify") != std::string::npos;
}

}  // namespace

std::string WithQuery(const std::string& path, const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out = path;
  char separator = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : query) {
    out += separator;
    separator = '&';
    out += name + "=" + http::UrlEncode(value);
  }
  return out;
}

KubeApiError ApiErrorFrom(const std::string& method, const std::string& path, const KubeResponse& response) {
  nlohmann::json status = nlohmann::json::parse(response.body, nullptr, false);
  std::string message;
  if (status.is_object() && status.value("kind", "") == "Status") {
    message = StripControl(status.value("message", ""));  // Server text: no terminal controls.
  } else {
    status = nlohmann::json::object();
  }
  if (message.empty()) message = "the server answered HTTP " + std::to_string(response.status);
  ErrorCode code = ErrorCode::kFailure;
  switch (response.status) {
    case 401: code = ErrorCode::kAuth; break;
    case 403: code = ErrorCode::kAuth; break;
    case 404: code = ErrorCode::kNotFound; break;
    case 400:
    case 422: code = ErrorCode::kInvalidInput; break;
    default: break;
  }
  std::string text = "Kubernetes API " + method + " " + PathOnly(path) + ": " + message + " (HTTP " +
                     std::to_string(response.status) + ")";
  return KubeApiError(code, text, response.status, status);
}

KubeClient::KubeClient(KubeAccess access, ExecCredentialCache& credentials)
    : access_(std::move(access)), exec_credentials_(credentials) {
  if (access_.insecure_skip_tls_verify) {
    log::Warn("k8s: TLS verification of {} is off (insecure-skip-tls-verify in the kubeconfig)", access_.server);
  }
}

KubeClient::~KubeClient() = default;

KubeClient::Credentials KubeClient::Resolve(bool refresh) {
  Credentials credentials;
  credentials.client_cert_pem = access_.client_cert_pem;
  credentials.client_key_pem = access_.client_key_pem;
  if (!access_.token_file.empty()) {
    // The file wins over an inline token, and is read again after a 401
    // (projected service account tokens rotate), as client-go does.
    try {
      credentials.bearer = SecretValue(Trim(ReadFile(access_.token_file)));
    } catch (const Error&) {
      if (access_.token.empty()) throw Error(ErrorCode::kAuth, "cannot read the token file " + access_.token_file);
      credentials.bearer = access_.token;
    }
    credentials.refreshable = true;
  } else if (!access_.token.empty()) {
    credentials.bearer = access_.token;
  } else if (access_.exec && access_.username.empty()) {
    ExecCredential exec = exec_credentials_.Get(*access_.exec, access_, refresh);
    credentials.bearer = exec.token;
    if (!exec.client_cert_pem.empty()) {
      credentials.client_cert_pem = exec.client_cert_pem;
      credentials.client_key_pem = exec.client_key_pem;
    }
    credentials.refreshable = true;
  }
  return credentials;
}

KubeResponse KubeClient::SendOnce(const std::string& method, const std::string& path, const std::string& body,
                                  const std::string& content_type, const Credentials& credentials) {
  http::HostRequest request;
  request.method = method;
  request.url = access_.server + path;
  request.body = body;
  request.timeout = kRequestTimeout;
  request.connect_timeout = kConnectTimeout;
  // Transport errors, and a busy or throttling API server, are tried again.
  request.retry = {.attempts = kAttempts, .initial_backoff = std::chrono::seconds(1), .max_backoff = std::chrono::seconds(2),
                   .statuses = {429, 503}};
  request.proxy = access_.proxy_url;
  request.tls.insecure_skip_verify = access_.insecure_skip_tls_verify;
  request.tls.ca_pem = access_.ca_pem;  // Only the cluster's CA, as kubectl: not the system's as well.
  request.tls.server_name = access_.tls_server_name;
  if (!credentials.client_cert_pem.empty()) {
    request.tls.client_cert_pem = credentials.client_cert_pem;
    request.tls.client_key_pem = credentials.client_key_pem;
  }
  request.headers = {{"Accept", "application/json"},
                     {"User-Agent", std::string("berth/") + BERTH_SDK_VERSION + " (k8s plugin)"}};
  if (!credentials.bearer.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + credentials.bearer.Reveal());
  } else if (!access_.username.empty()) {
    request.headers.emplace_back("Authorization", "Basic " + Base64Encode(access_.username + ":" + access_.password.Reveal()));
  }
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);

  auto started = std::chrono::steady_clock::now();
  http::HostResponse answer;
  try {
    answer = http_.Send(request);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kFailure) throw;
    // The service names the call; this message names the cluster instead.
    std::string detail = error.what();
    std::string call = method + " " + http::UrlForMessages(request.url) + ": ";
    if (detail.starts_with(call)) detail.erase(0, call.size());
    std::string message = "cannot reach the Kubernetes API server " + access_.server + " (" + access_.source + "): " + detail;
    if (IsVerificationFailure(detail)) {
      message += access_.ca_file.empty() ? " (no certificate-authority is configured for this cluster)"
                                         : " (checked against " + access_.ca_file + ")";
    }
    throw Error(ErrorCode::kFailure, message);
  }
  for (auto& header : request.headers) std::fill(header.second.begin(), header.second.end(), '\0');
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  log::Debug("k8s: {} {} -> {} ({} ms)", method, PathOnly(path), answer.status, elapsed.count());
  return KubeResponse{answer.status, std::move(answer.body)};
}

KubeResponse KubeClient::Send(const std::string& method, const std::string& path, const std::string& body,
                              const std::string& content_type) {
  Credentials credentials = Resolve(false);
  KubeResponse response = SendOnce(method, path, body, content_type, credentials);
  if (response.status == 401 && credentials.refreshable) {
    // An expired token: ask the file or the exec plugin again, once.
    log::Debug("k8s: the API server refused the credential; fetching a fresh one");
    credentials = Resolve(true);
    response = SendOnce(method, path, body, content_type, credentials);
  }
  return response;
}

nlohmann::json KubeClient::Call(const std::string& method, const std::string& path, const std::string& body,
                                const std::string& content_type) {
  KubeResponse response = Send(method, path, body, content_type);
  if (response.status < 200 || response.status > 299) throw ErrorFor(method, path, response);
  if (response.body.empty()) return nlohmann::json::object();
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_discarded()) {
    throw Error("Kubernetes API " + method + " " + PathOnly(path) + ": the answer is not JSON");
  }
  return parsed;
}

KubeApiError KubeClient::ErrorFor(const std::string& method, const std::string& path, const KubeResponse& response) const {
  KubeApiError error = ApiErrorFrom(method, path, response);
  if (response.status != 401) return error;
  return KubeApiError(ErrorCode::kAuth,
                      "the Kubernetes API server " + access_.server + " refused berth's credentials (" + access_.source +
                          "): " + error.status().value("message", "Unauthorized"),
                      401, error.status());
}

std::optional<nlohmann::json> KubeClient::GetIfExists(const std::string& path) {
  KubeResponse response = Send("GET", path);
  if (response.status == 404) return std::nullopt;
  if (response.status < 200 || response.status > 299) throw ErrorFor("GET", path, response);
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_discarded()) throw Error("Kubernetes API GET " + PathOnly(path) + ": the answer is not JSON");
  return parsed;
}

}  // namespace berth::k8s
