#include "kube_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <map>
#include <set>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"

namespace berth::k8s {
namespace fs = std::filesystem;
namespace {

constexpr char kDefaultServiceAccountDir[] = "/var/run/secrets/kubernetes.io/serviceaccount";

// One named entry (a cluster, user or context) and the file that defined it,
// whose folder relative paths are resolved against.
struct Entry {
  YAML::Node node;
  fs::path file;
};

struct MergedConfig {
  std::vector<fs::path> files;
  std::map<std::string, Entry> clusters;
  std::map<std::string, Entry> users;
  std::map<std::string, Entry> contexts;
  std::string current_context;

  std::string Describe() const {
    std::string text;
    for (const auto& file : files) text += (text.empty() ? "" : ":") + file.string();
    return text;
  }
};

Error Invalid(const fs::path& file, const std::string& message) {
  return Error(ErrorCode::kInvalidInput, "kubeconfig " + file.string() + ": " + message);
}

std::string Scalar(const YAML::Node& node, const fs::path& file, const std::string& field) {
  if (!node) return "";
  if (!node.IsScalar()) throw Invalid(file, field + " must be a string");
  return node.as<std::string>();
}

bool Boolean(const YAML::Node& node, const fs::path& file, const std::string& field) {
  std::string text = Scalar(node, file, field);
  if (text.empty() || text == "false") return false;
  if (text == "true") return true;
  throw Invalid(file, field + " must be true or false");
}

fs::path Resolve(const std::string& path, const fs::path& file) {
  fs::path value(path);
  if (value.is_absolute()) return value;
  return file.parent_path() / value;
}

std::string Decode(const std::string& text, const fs::path& file, const std::string& field) {
  auto decoded = Base64Decode(text);
  if (!decoded) throw Invalid(file, field + " is not valid base64");
  return *decoded;
}

std::string ReadReferenced(const std::string& path, const fs::path& file, const std::string& field) {
  fs::path resolved = Resolve(path, file);
  try {
    return ReadFile(resolved);
  } catch (const Error&) {
    throw Invalid(file, field + ": cannot read " + resolved.string());
  }
}

void MergeList(const YAML::Node& root, const char* key, const char* inner, const fs::path& file,
               std::map<std::string, Entry>& into) {
  YAML::Node list = root[key];
  if (!list || list.IsNull()) return;
  if (!list.IsSequence()) throw Invalid(file, std::string(key) + " must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string field = std::string(key) + "[" + std::to_string(i) + "]";
    if (!list[i].IsMap()) throw Invalid(file, field + " must be a map");
    std::string name = Scalar(list[i]["name"], file, field + ".name");
    if (name.empty()) throw Invalid(file, field + " has no name");
    YAML::Node body = list[i][inner];
    if (body && !body.IsNull() && !body.IsMap()) throw Invalid(file, field + "." + inner + " must be a map");
    // kubectl's merge: the first file to define a name wins, whole entry.
    into.emplace(name, Entry{body ? body : YAML::Node(YAML::NodeType::Map), file});
  }
}

void MergeFile(const fs::path& file, MergedConfig& merged) {
  std::string text = ReadFile(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Invalid(file, "line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  merged.files.push_back(file);
  if (!root || root.IsNull()) return;  // An empty file is a valid, empty config.
  if (!root.IsMap()) throw Invalid(file, "not a kubeconfig (expected a map)");
  MergeList(root, "clusters", "cluster", file, merged.clusters);
  MergeList(root, "users", "user", file, merged.users);
  MergeList(root, "contexts", "context", file, merged.contexts);
  if (merged.current_context.empty()) merged.current_context = Scalar(root["current-context"], file, "current-context");
}

std::vector<fs::path> KubeconfigList(const std::string& value) {
  std::vector<fs::path> files;
  std::set<std::string> seen;
  size_t start = 0;
  while (start <= value.size()) {
    size_t colon = value.find(':', start);
    std::string item = value.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!item.empty() && seen.insert(item).second) files.emplace_back(item);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return files;
}

std::optional<MergedConfig> LoadMerged(const KubeConfigOptions& options) {
  MergedConfig merged;
  if (!options.kubeconfig.empty()) {
    fs::path file(options.kubeconfig);
    std::error_code error;
    if (!fs::is_regular_file(file, error)) {
      throw Error(ErrorCode::kInvalidInput, "kubeconfig " + file.string() + " does not exist");
    }
    MergeFile(file, merged);
    return merged;
  }
  if (options.kubeconfig_env && !options.kubeconfig_env->empty()) {
    // As kubectl: files in the list that do not exist are skipped.
    for (const auto& file : KubeconfigList(*options.kubeconfig_env)) {
      std::error_code error;
      if (fs::is_regular_file(file, error)) MergeFile(file, merged);
    }
    if (!merged.files.empty()) return merged;
    return std::nullopt;
  }
  if (!options.home.empty()) {
    fs::path file = options.home / ".kube" / "config";
    std::error_code error;
    if (fs::is_regular_file(file, error)) {
      MergeFile(file, merged);
      return merged;
    }
  }
  return std::nullopt;
}

std::string Names(const std::map<std::string, Entry>& entries) {
  std::string text;
  for (const auto& [name, entry] : entries) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "none" : text;
}

void ReadCluster(const Entry& entry, const std::string& name, KubeAccess& access) {
  const YAML::Node& node = entry.node;
  const std::string field = "clusters[" + name + "].cluster";
  access.server = Scalar(node["server"], entry.file, field + ".server");
  if (access.server.empty()) throw Invalid(entry.file, field + ".server is missing");
  while (!access.server.empty() && access.server.back() == '/') access.server.pop_back();
  if (access.server.rfind("https://", 0) != 0 && access.server.rfind("http://", 0) != 0) {
    // kubectl accepts a bare host:port and means HTTPS.
    access.server = "https://" + access.server;
  }
  access.insecure_skip_tls_verify = Boolean(node["insecure-skip-tls-verify"], entry.file, field + ".insecure-skip-tls-verify");
  access.tls_server_name = Scalar(node["tls-server-name"], entry.file, field + ".tls-server-name");
  access.proxy_url = Scalar(node["proxy-url"], entry.file, field + ".proxy-url");
  std::string ca_data = Scalar(node["certificate-authority-data"], entry.file, field + ".certificate-authority-data");
  std::string ca_file = Scalar(node["certificate-authority"], entry.file, field + ".certificate-authority");
  if (!ca_data.empty()) {
    access.ca_pem = Decode(ca_data, entry.file, field + ".certificate-authority-data");
    access.ca_file = entry.file.string() + " (certificate-authority-data)";
  } else if (!ca_file.empty()) {
    access.ca_pem = ReadReferenced(ca_file, entry.file, field + ".certificate-authority");
    access.ca_file = Resolve(ca_file, entry.file).string();
  }
  if (access.insecure_skip_tls_verify && !access.ca_pem.empty()) {
    throw Invalid(entry.file, field + ": certificate-authority and insecure-skip-tls-verify cannot both be set");
  }
}

ExecConfig ReadExec(const YAML::Node& node, const fs::path& file, const std::string& field) {
  if (!node.IsMap()) throw Invalid(file, field + " must be a map");
  ExecConfig exec;
  exec.api_version = Scalar(node["apiVersion"], file, field + ".apiVersion");
  if (exec.api_version == "client.authentication.k8s.io/v1alpha1") {
    throw Invalid(file, field + ".apiVersion client.authentication.k8s.io/v1alpha1 is no longer supported (kubectl dropped it in 1.24); use v1 or v1beta1");
  }
  if (exec.api_version != "client.authentication.k8s.io/v1" && exec.api_version != "client.authentication.k8s.io/v1beta1") {
    throw Invalid(file, field + ".apiVersion must be client.authentication.k8s.io/v1 or v1beta1, got '" + exec.api_version + "'");
  }
  exec.command = Scalar(node["command"], file, field + ".command");
  if (exec.command.empty()) throw Invalid(file, field + ".command is missing");
  // As client-go: a command with a path separator is relative to the file; a bare name is looked up in PATH.
  if (exec.command.find('/') != std::string::npos) exec.command = Resolve(exec.command, file).string();
  if (YAML::Node args = node["args"]; args && !args.IsNull()) {
    if (!args.IsSequence()) throw Invalid(file, field + ".args must be a list");
    for (size_t i = 0; i < args.size(); ++i) exec.args.push_back(Scalar(args[i], file, field + ".args[" + std::to_string(i) + "]"));
  }
  if (YAML::Node env = node["env"]; env && !env.IsNull()) {
    if (!env.IsSequence()) throw Invalid(file, field + ".env must be a list of {name, value}");
    for (size_t i = 0; i < env.size(); ++i) {
      std::string item = field + ".env[" + std::to_string(i) + "]";
      std::string name = Scalar(env[i]["name"], file, item + ".name");
      if (name.empty()) throw Invalid(file, item + ".name is missing");
      exec.env.emplace_back(name, Scalar(env[i]["value"], file, item + ".value"));
    }
  }
  exec.install_hint = Scalar(node["installHint"], file, field + ".installHint");
  exec.interactive_mode = Scalar(node["interactiveMode"], file, field + ".interactiveMode");
  exec.provide_cluster_info = Boolean(node["provideClusterInfo"], file, field + ".provideClusterInfo");
  return exec;
}

void ReadUser(const Entry& entry, const std::string& name, KubeAccess& access) {
  const YAML::Node& node = entry.node;
  const fs::path& file = entry.file;
  const std::string field = "users[" + name + "].user";
  if (YAML::Node provider = node["auth-provider"]; provider && !provider.IsNull()) {
    throw Invalid(file, field + " uses auth-provider '" + Scalar(provider["name"], file, field + ".auth-provider.name") +
                            "', which kubectl no longer supports; use an exec credential plugin (for GKE: gke-gcloud-auth-plugin)");
  }
  std::string cert_data = Scalar(node["client-certificate-data"], file, field + ".client-certificate-data");
  std::string cert_file = Scalar(node["client-certificate"], file, field + ".client-certificate");
  std::string key_data = Scalar(node["client-key-data"], file, field + ".client-key-data");
  std::string key_file = Scalar(node["client-key"], file, field + ".client-key");
  if (!cert_data.empty()) {
    access.client_cert_pem = Decode(cert_data, file, field + ".client-certificate-data");
  } else if (!cert_file.empty()) {
    access.client_cert_pem = ReadReferenced(cert_file, file, field + ".client-certificate");
  }
  if (!key_data.empty()) {
    access.client_key_pem = SecretValue(Decode(key_data, file, field + ".client-key-data"));
  } else if (!key_file.empty()) {
    access.client_key_pem = SecretValue(ReadReferenced(key_file, file, field + ".client-key"));
  }
  if (access.client_cert_pem.empty() != access.client_key_pem.empty()) {
    throw Invalid(file, field + " has a client certificate without its key, or a key without its certificate");
  }
  access.token = SecretValue(Scalar(node["token"], file, field + ".token"));
  std::string token_file = Scalar(node["tokenFile"], file, field + ".tokenFile");
  if (!token_file.empty()) access.token_file = Resolve(token_file, file).string();
  access.username = Scalar(node["username"], file, field + ".username");
  access.password = SecretValue(Scalar(node["password"], file, field + ".password"));
  if (YAML::Node exec = node["exec"]; exec && !exec.IsNull()) access.exec = ReadExec(exec, file, field + ".exec");
}

std::string EnvOr(const char* name, const std::string& fallback = "") {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : fallback;
}

std::string Trim(std::string text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  size_t start = text.find_first_not_of(" \t\r\n");
  return start == std::string::npos ? "" : text.substr(start);
}

}  // namespace

KubeConfigOptions KubeConfigOptions::FromEnvironment() {
  KubeConfigOptions options;
  if (const char* value = std::getenv("KUBECONFIG")) options.kubeconfig_env = value;
  options.home = EnvOr("HOME");
  options.service_host = EnvOr("KUBERNETES_SERVICE_HOST");
  options.service_port = EnvOr("KUBERNETES_SERVICE_PORT");
  options.pod_namespace = EnvOr("POD_NAMESPACE");
  options.service_account_dir = EnvOr("BERTH_K8S_SERVICE_ACCOUNT_DIR", kDefaultServiceAccountDir);
  return options;
}

KubeAccess LoadInClusterAccess(const KubeConfigOptions& options) {
  if (options.service_host.empty() || options.service_port.empty()) {
    throw Error(ErrorCode::kNotFound,
                "not running in a Kubernetes cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set)");
  }
  KubeAccess access;
  access.source = "in-cluster service account (" + options.service_account_dir.string() + ")";
  access.context = "in-cluster";
  std::string host = options.service_host;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";  // IPv6
  access.server = "https://" + host + ":" + options.service_port;
  fs::path token_file = options.service_account_dir / "token";
  std::error_code error;
  if (!fs::is_regular_file(token_file, error)) {
    throw Error(ErrorCode::kAuth, "in-cluster: no service account token at " + token_file.string());
  }
  access.token_file = token_file.string();
  fs::path ca_file = options.service_account_dir / "ca.crt";
  if (fs::is_regular_file(ca_file, error)) {
    access.ca_pem = ReadFile(ca_file);
    access.ca_file = ca_file.string();
  } else {
    log::Warn("in-cluster: no {}; verifying the API server against the system's CAs", ca_file.string());
  }
  access.namespace_name = options.pod_namespace;
  fs::path namespace_file = options.service_account_dir / "namespace";
  if (access.namespace_name.empty() && fs::is_regular_file(namespace_file, error)) {
    access.namespace_name = Trim(ReadFile(namespace_file));
  }
  return access;
}

KubeAccess LoadKubeAccess(const KubeConfigOptions& options) {
  if (options.in_cluster) return LoadInClusterAccess(options);
  std::optional<MergedConfig> merged = LoadMerged(options);
  if (!merged) {
    // As kubectl: with no kubeconfig anywhere, a pod uses its service account.
    if (!options.service_host.empty()) return LoadInClusterAccess(options);
    throw Error(ErrorCode::kNotFound,
                "no kubeconfig: set `kubeconfig` in the target settings, set KUBECONFIG, or create ~/.kube/config");
  }
  std::string where = merged->Describe();
  std::string context_name = options.context.empty() ? merged->current_context : options.context;
  if (context_name.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "kubeconfig " + where + " has no current-context; set `context` in the target settings (contexts: " +
                    Names(merged->contexts) + ")");
  }
  auto context = merged->contexts.find(context_name);
  if (context == merged->contexts.end()) {
    throw Error(ErrorCode::kInvalidInput, "context \"" + context_name + "\" is not in kubeconfig " + where +
                                              " (contexts: " + Names(merged->contexts) + ")");
  }
  const Entry& entry = context->second;
  const std::string field = "contexts[" + context_name + "].context";
  std::string cluster_name = Scalar(entry.node["cluster"], entry.file, field + ".cluster");
  std::string user_name = Scalar(entry.node["user"], entry.file, field + ".user");
  KubeAccess access;
  access.source = "kubeconfig " + where + ", context " + context_name;
  access.context = context_name;
  access.namespace_name = Scalar(entry.node["namespace"], entry.file, field + ".namespace");
  auto cluster = merged->clusters.find(cluster_name);
  if (cluster == merged->clusters.end()) {
    throw Error(ErrorCode::kInvalidInput, "context \"" + context_name + "\" names cluster \"" + cluster_name +
                                              "\", which is not in kubeconfig " + where + " (clusters: " +
                                              Names(merged->clusters) + ")");
  }
  ReadCluster(cluster->second, cluster_name, access);
  if (!user_name.empty()) {
    auto user = merged->users.find(user_name);
    if (user == merged->users.end()) {
      throw Error(ErrorCode::kInvalidInput, "context \"" + context_name + "\" names user \"" + user_name +
                                                "\", which is not in kubeconfig " + where + " (users: " +
                                                Names(merged->users) + ")");
    }
    ReadUser(user->second, user_name, access);
  }
  return access;
}

}  // namespace berth::k8s
