#include "exec_credential.h"

#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/log.h"
#include "berth/util/process.h"
#include "berth/util/redact.h"
#include "berth/util/time.h"

namespace berth::k8s {
namespace {

constexpr auto kPluginTimeout = std::chrono::minutes(2);

std::string Name(const ExecConfig& exec) { return "exec credential plugin '" + exec.command + "'"; }

std::string CacheKey(const ExecConfig& exec, const KubeAccess& cluster) {
  nlohmann::json key = {{"apiVersion", exec.api_version}, {"command", exec.command}, {"args", exec.args},
                        {"env", exec.env}, {"server", exec.provide_cluster_info ? cluster.server : ""}};
  return key.dump();
}

std::string FirstLine(std::string text) {
  text = Redact(text);
  size_t end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  if (text.size() > 400) text = text.substr(0, 400) + "...";
  return text;
}

}  // namespace

std::string ExecInfo(const ExecConfig& exec, const KubeAccess& cluster) {
  nlohmann::json spec = {{"interactive", false}};
  if (exec.provide_cluster_info) {
    nlohmann::json info = {{"server", cluster.server}};
    if (!cluster.tls_server_name.empty()) info["tls-server-name"] = cluster.tls_server_name;
    if (cluster.insecure_skip_tls_verify) info["insecure-skip-tls-verify"] = true;
    if (!cluster.ca_pem.empty()) info["certificate-authority-data"] = Base64Encode(cluster.ca_pem);
    if (!cluster.proxy_url.empty()) info["proxy-url"] = cluster.proxy_url;
    spec["cluster"] = info;
  }
  return nlohmann::json{{"kind", "ExecCredential"}, {"apiVersion", exec.api_version}, {"spec", spec}}.dump();
}

ExecCredential ParseExecCredential(const std::string& output, const ExecConfig& exec) {
  nlohmann::json document = nlohmann::json::parse(output, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    throw Error(ErrorCode::kAuth, Name(exec) + " did not print an ExecCredential JSON object on stdout");
  }
  std::string api_version = document.value("apiVersion", "");
  if (api_version != exec.api_version) {
    throw Error(ErrorCode::kAuth, Name(exec) + " answered with apiVersion '" + api_version + "', but the kubeconfig asks for '" +
                                      exec.api_version + "'");
  }
  if (document.value("kind", "") != "ExecCredential") {
    throw Error(ErrorCode::kAuth, Name(exec) + " answered with kind '" + document.value("kind", "") + "', not ExecCredential");
  }
  const nlohmann::json& status = document.contains("status") ? document["status"] : nlohmann::json();
  if (!status.is_object()) throw Error(ErrorCode::kAuth, Name(exec) + " answered without a status");
  ExecCredential credential;
  auto text = [&](const char* key) {
    auto it = status.find(key);
    return it != status.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  credential.token = SecretValue(text("token"));
  credential.client_cert_pem = text("clientCertificateData");
  credential.client_key_pem = SecretValue(text("clientKeyData"));
  if (credential.client_cert_pem.empty() != credential.client_key_pem.empty()) {
    throw Error(ErrorCode::kAuth, Name(exec) + " returned a client certificate without its key, or a key without its certificate");
  }
  if (credential.token.empty() && credential.client_cert_pem.empty()) {
    throw Error(ErrorCode::kAuth, Name(exec) + " returned neither a token nor a client certificate and key");
  }
  if (std::string expiry = text("expirationTimestamp"); !expiry.empty()) {
    auto parsed = ParseRfc3339(expiry);
    if (!parsed) throw Error(ErrorCode::kAuth, Name(exec) + " returned a malformed expirationTimestamp '" + expiry + "'");
    credential.expires = *parsed;
  }
  return credential;
}

ExecCredentialCache& ExecCredentialCache::Shared() {
  static ExecCredentialCache* cache = new ExecCredentialCache();  // Never destroyed: safe at exit.
  return *cache;
}

void ExecCredentialCache::Clear() {
  std::lock_guard lock(mutex_);
  cache_.clear();
}

ExecCredential ExecCredentialCache::Get(const ExecConfig& exec, const KubeAccess& cluster, bool refresh) {
  std::lock_guard lock(mutex_);
  std::string key = CacheKey(exec, cluster);
  if (refresh) cache_.erase(key);
  if (auto it = cache_.find(key); it != cache_.end()) {
    // client-go's rule: valid until the expiry passes; none means until refused.
    if (!it->second.expires || std::chrono::system_clock::now() < *it->second.expires) {
      log::Debug("k8s: using the cached credential of {}", Name(exec));
      return it->second;
    }
    cache_.erase(it);
  }
  if (exec.interactive_mode == "Always") {
    throw Error(ErrorCode::kAuth, Name(exec) + " has interactiveMode Always, but berth never runs plugins interactively");
  }
  if (!FindProgram(exec.command)) {
    std::string message = Name(exec) + ": executable not found";
    if (!exec.install_hint.empty()) message += "\n\n" + exec.install_hint;
    throw Error(ErrorCode::kAuth, message);
  }
  std::vector<std::string> argv = {exec.command};
  argv.insert(argv.end(), exec.args.begin(), exec.args.end());
  ProcessOptions options;
  for (const auto& [name, value] : exec.env) options.env_set[name] = value;
  options.env_set["KUBERNETES_EXEC_INFO"] = ExecInfo(exec, cluster);
  options.timeout = kPluginTimeout;
  log::Debug("k8s: running {}", Name(exec));
  ProcessResult result = RunProcess(argv, options);
  if (result.timed_out) throw Error(ErrorCode::kAuth, Name(exec) + " did not answer within 2 minutes");
  if (result.exit_code != 0) {
    std::string message = Name(exec) + " failed (exit " + std::to_string(result.exit_code) + ")";
    if (std::string detail = FirstLine(result.stderr_data); !detail.empty()) message += ": " + detail;
    throw Error(ErrorCode::kAuth, message);
  }
  if (!result.stderr_data.empty()) log::Debug("k8s: {} said: {}", Name(exec), FirstLine(result.stderr_data));
  ExecCredential credential = ParseExecCredential(result.stdout_data, exec);
  // stdout held the credential; wipe our copy of it now.
  std::fill(result.stdout_data.begin(), result.stdout_data.end(), '\0');
  cache_[key] = credential;
  return credential;
}

}  // namespace berth::k8s
