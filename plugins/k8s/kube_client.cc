#include "kube_client.h"

#include <curl/curl.h>

#include <chrono>
#include <mutex>
#include <regex>
#include <thread>

#include "berth/fs.h"
#include "berth/log.h"
#include "berth/text.h"
#include "berth/version.h"

namespace berth::k8s {

struct KubeClient::Credentials {
  SecretValue bearer;
  std::string client_cert_pem;
  SecretValue client_key_pem;
  bool refreshable = false;  // A token file or an exec plugin: worth asking again after a 401.
};

namespace {

constexpr long kConnectTimeoutMs = 10000;
constexpr long kRequestTimeoutMs = 60000;
constexpr int kAttempts = 3;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t Append(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

std::string Trim(std::string text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  size_t start = text.find_first_not_of(" \t\r\n");
  return start == std::string::npos ? "" : text.substr(start);
}

std::string PathOnly(const std::string& path) { return path.substr(0, path.find('?')); }

bool Transient(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_GOT_NOTHING || code == CURLE_SEND_ERROR ||
         code == CURLE_RECV_ERROR || code == CURLE_PARTIAL_FILE || code == CURLE_HTTP2 || code == CURLE_HTTP2_STREAM;
}

struct CurlBlob {
  curl_blob blob;
  explicit CurlBlob(const std::string& data) : blob{const_cast<char*>(data.data()), data.size(), CURL_BLOB_COPY} {}
};

// tls-server-name: connect to the server's address, but name (and verify) the
// certificate as tls-server-name, as client-go's ServerName does.
struct Target {
  std::string url;
  std::string connect_to;
};

Target TargetFor(const KubeAccess& access, const std::string& path) {
  Target target{access.server + path, ""};
  if (access.tls_server_name.empty()) return target;
  static const std::regex kServer(R"(^(https?)://(\[[^\]]+\]|[^/:]+)(?::(\d+))?(.*)$)");
  std::smatch match;
  if (!std::regex_match(access.server, match, kServer)) return target;
  std::string port = match[3].matched ? match[3].str() : (match[1] == "https" ? "443" : "80");
  target.url = match[1].str() + "://" + access.tls_server_name + ":" + port + match[4].str() + path;
  std::string host = match[2].str();
  target.connect_to = access.tls_server_name + ":" + port + ":" + host + ":" + port;
  return target;
}

}  // namespace

std::string WithQuery(const std::string& path, const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out = path;
  char separator = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : query) {
    out += separator;
    separator = '&';
    char* escaped = curl_easy_escape(nullptr, value.data(), int(value.size()));
    out += name + "=" + (escaped ? escaped : "");
    curl_free(escaped);
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
  GlobalInit();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw Error("cannot initialise libcurl");
  if (access_.insecure_skip_tls_verify) {
    log::Warn("k8s: TLS verification of {} is off (insecure-skip-tls-verify in the kubeconfig)", access_.server);
  }
}

KubeClient::~KubeClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

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
                                  const std::string& content_type, const Credentials& credentials,
                                  std::optional<TransportFailure>& failure) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);  // Keeps the connection cache.
  Target target = TargetFor(access_, path);
  KubeResponse response;
  curl_easy_setopt(curl, CURLOPT_URL, target.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kRequestTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
  std::string user_agent = std::string("berth/") + BERTH_SDK_VERSION + " (k8s plugin)";
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  curl_slist* connect_to = nullptr;
  if (!target.connect_to.empty()) {
    connect_to = curl_slist_append(connect_to, target.connect_to.c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
  }
  if (!access_.proxy_url.empty()) curl_easy_setopt(curl, CURLOPT_PROXY, access_.proxy_url.c_str());

  if (access_.insecure_skip_tls_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  } else {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  }
  CurlBlob ca(access_.ca_pem);
  if (!access_.ca_pem.empty()) {
    // Only the cluster's CA, as kubectl: not the system's as well.
    curl_easy_setopt(curl, CURLOPT_CAINFO, nullptr);
    curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
    curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca.blob);
  }
  CurlBlob cert(credentials.client_cert_pem);
  CurlBlob key(credentials.client_key_pem.Reveal());
  if (!credentials.client_cert_pem.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &cert.blob);
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &key.blob);
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  }

  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  std::string authorization;
  if (!credentials.bearer.empty()) {
    authorization = "Authorization: Bearer " + credentials.bearer.Reveal();
    headers = curl_slist_append(headers, authorization.c_str());
    std::fill(authorization.begin(), authorization.end(), '\0');
  } else if (!access_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, access_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, access_.password.Reveal().c_str());
  }
  std::string content_type_header = "Content-Type: " + content_type;
  if (!content_type.empty()) headers = curl_slist_append(headers, content_type_header.c_str());
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (method != "DELETE" || !body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
  }
  char error_buffer[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);

  auto started = std::chrono::steady_clock::now();
  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_slist_free_all(connect_to);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (code != CURLE_OK) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    std::string message = "cannot reach the Kubernetes API server " + access_.server + " (" + access_.source + "): " + detail;
    if (code == CURLE_PEER_FAILED_VERIFICATION) {
      message += access_.ca_file.empty() ? " (no certificate-authority is configured for this cluster)"
                                         : " (checked against " + access_.ca_file + ")";
    }
    failure = TransportFailure{message, Transient(code)};
    return response;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  log::Debug("k8s: {} {} -> {} ({} ms)", method, PathOnly(path), response.status, elapsed.count());
  return response;
}

KubeResponse KubeClient::Send(const std::string& method, const std::string& path, const std::string& body,
                              const std::string& content_type) {
  Credentials credentials = Resolve(false);
  bool refreshed = false;
  for (int attempt = 1;; ++attempt) {
    std::optional<TransportFailure> failure;
    KubeResponse response = SendOnce(method, path, body, content_type, credentials, failure);
    if (failure) {
      if (!failure->transient || attempt >= kAttempts) throw Error(ErrorCode::kFailure, failure->message);
      log::Debug("k8s: {}; trying again", failure->message);
      std::this_thread::sleep_for(std::chrono::seconds(attempt));
      continue;
    }
    if (response.status == 401 && credentials.refreshable && !refreshed) {
      // An expired token: ask the file or the exec plugin again, once.
      log::Debug("k8s: the API server refused the credential; fetching a fresh one");
      credentials = Resolve(true);
      refreshed = true;
      continue;
    }
    if ((response.status == 429 || response.status == 503) && attempt < kAttempts) {
      std::this_thread::sleep_for(std::chrono::seconds(attempt));
      continue;
    }
    return response;
  }
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
