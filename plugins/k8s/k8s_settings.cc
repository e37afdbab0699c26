#include "k8s_settings.h"

#include <regex>
#include <set>

#include "berth/error.h"

namespace berth::k8s {
namespace fs = std::filesystem;
namespace {

// Reads one settings object, naming every field it complains about.
class Reader {
 public:
  Reader(std::string what, const nlohmann::json& object) : what_(std::move(what)), object_(object) {
    if (!object_.is_object() && !object_.is_null()) throw Fail("", "must be a map");
  }

  Error Fail(const std::string& field, const std::string& message) const {
    return Error(ErrorCode::kInvalidInput, what_ + (field.empty() ? "" : " '" + field + "'") + ": " + message);
  }

  void OnlyKeys(const std::set<std::string>& known) const {
    if (!object_.is_object()) return;
    for (const auto& [key, value] : object_.items()) {
      if (known.count(key)) continue;
      std::string list;
      for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
      throw Fail(key, "unknown setting (known: " + list + ")");
    }
  }

  bool Has(const std::string& key) const { return object_.is_object() && object_.contains(key) && !object_[key].is_null(); }
  const nlohmann::json& Raw(const std::string& key) const { return object_.at(key); }

  std::string String(const std::string& key, const std::string& fallback = "") const {
    if (!Has(key)) return fallback;
    return Scalar(object_[key], key);
  }

  // Numbers and booleans from YAML are fine where Kubernetes wants text.
  std::string Scalar(const nlohmann::json& value, const std::string& field) const {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number_integer()) return std::to_string(value.get<long long>());
    if (value.is_number()) return value.dump();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    throw Fail(field, "must be a string");
  }

  std::optional<int> Int(const std::string& key, int minimum) const {
    if (!Has(key)) return std::nullopt;
    const nlohmann::json& value = object_[key];
    long long number = 0;
    if (value.is_number_integer()) {
      number = value.get<long long>();
    } else if (value.is_string() && std::regex_match(value.get<std::string>(), std::regex("-?[0-9]{1,9}"))) {
      number = std::stoll(value.get<std::string>());
    } else {
      throw Fail(key, "must be a whole number");
    }
    if (number < minimum || number > 2147483647) throw Fail(key, "must be at least " + std::to_string(minimum));
    return int(number);
  }

  bool Bool(const std::string& key, bool fallback) const {
    if (!Has(key)) return fallback;
    const nlohmann::json& value = object_[key];
    if (value.is_boolean()) return value.get<bool>();
    if (value == "true") return true;
    if (value == "false") return false;
    throw Fail(key, "must be true or false");
  }

  std::map<std::string, std::string> StringMap(const std::string& key) const {
    std::map<std::string, std::string> out;
    if (!Has(key)) return out;
    if (!object_[key].is_object()) throw Fail(key, "must be a map of names to values");
    for (const auto& [name, value] : object_[key].items()) out[name] = Scalar(value, key + "." + name);
    return out;
  }

  std::vector<std::string> Strings(const std::string& key) const {
    std::vector<std::string> out;
    if (!Has(key)) return out;
    if (!object_[key].is_array()) throw Fail(key, "must be a list");
    for (size_t i = 0; i < object_[key].size(); ++i) out.push_back(Scalar(object_[key][i], key + "[" + std::to_string(i) + "]"));
    return out;
  }

 private:
  std::string what_;
  const nlohmann::json& object_;
};

const std::regex kDnsLabel("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
const std::regex kPortName("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");
const std::regex kEnvName("[-._a-zA-Z][-._a-zA-Z0-9]*");
const std::regex kSecretKey("[-._a-zA-Z0-9]+");
const std::regex kObjectName("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

ConnectionSettings ReadConnection(const Reader& reader) {
  ConnectionSettings connection;
  connection.kubeconfig = reader.String("kubeconfig");  // Absolute: a declared path (k8s_schema.cc).
  connection.context = reader.String("context");
  connection.namespace_name = reader.String("namespace");
  if (!connection.namespace_name.empty() && !std::regex_match(connection.namespace_name, kDnsLabel)) {
    throw reader.Fail("namespace", "'" + connection.namespace_name + "' is not a valid namespace name");
  }
  connection.in_cluster = reader.Bool("in_cluster", false);
  return connection;
}

std::vector<PortSetting> ReadPorts(const Reader& reader) {
  std::vector<PortSetting> ports;
  if (reader.Has("port") && reader.Has("ports")) throw reader.Fail("port", "give port or ports, not both");
  auto valid = [&](int port, const std::string& field) {
    if (port < 1 || port > 65535) throw reader.Fail(field, "must be a port number (1-65535)");
    return port;
  };
  if (reader.Has("port")) {
    PortSetting port;
    port.container_port = valid(reader.Int("port", 1).value(), "port");
    ports.push_back(port);
  }
  if (reader.Has("ports")) {
    const nlohmann::json& list = reader.Raw("ports");
    if (!list.is_array()) throw reader.Fail("ports", "must be a list of {name, port, service_port, protocol}");
    for (size_t i = 0; i < list.size(); ++i) {
      std::string field = "ports[" + std::to_string(i) + "]";
      Reader item("k8s target setting '" + field + "'", list[i]);
      item.OnlyKeys({"name", "port", "service_port", "protocol"});
      PortSetting port;
      port.name = item.String("name", i == 0 ? "http" : "port-" + std::to_string(i));
      if (!item.Has("port")) throw item.Fail("port", "is required");
      port.container_port = valid(item.Int("port", 1).value(), field + ".port");
      port.service_port = item.Has("service_port") ? valid(item.Int("service_port", 1).value(), field + ".service_port") : 0;
      port.protocol = item.String("protocol", "TCP");
      if (port.protocol != "TCP" && port.protocol != "UDP" && port.protocol != "SCTP") {
        throw item.Fail("protocol", "must be TCP, UDP or SCTP");
      }
      ports.push_back(port);
    }
  }
  std::set<std::string> names;
  for (const auto& port : ports) {
    if (!std::regex_match(port.name, kPortName) || port.name.find("--") != std::string::npos) {
      throw reader.Fail("ports", "port name '" + port.name + "' must be at most 15 lower-case letters, digits and '-'");
    }
    if (!names.insert(port.name).second) throw reader.Fail("ports", "port name '" + port.name + "' is used twice");
  }
  return ports;
}

std::vector<EnvFromSetting> ReadEnvFrom(const Reader& reader) {
  std::vector<EnvFromSetting> out;
  if (!reader.Has("env_from")) return out;
  const nlohmann::json& list = reader.Raw("env_from");
  if (!list.is_array()) throw reader.Fail("env_from", "must be a list of {configMapRef: NAME} or {secretRef: NAME}");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string field = "env_from[" + std::to_string(i) + "]";
    Reader item("k8s target setting '" + field + "'", list[i]);
    item.OnlyKeys({"configMapRef", "secretRef", "prefix"});
    EnvFromSetting entry;
    for (const char* kind : {"configMapRef", "secretRef"}) {
      if (!item.Has(kind)) continue;
      if (!entry.kind.empty()) throw item.Fail(kind, "give configMapRef or secretRef, not both");
      entry.kind = kind;
      const nlohmann::json& ref = item.Raw(kind);
      if (ref.is_object()) {
        Reader inner("k8s target setting '" + field + "." + kind + "'", ref);
        inner.OnlyKeys({"name", "optional"});
        entry.name = inner.String("name");
        entry.optional = inner.Bool("optional", false);
      } else {
        entry.name = item.String(kind);
      }
    }
    if (entry.kind.empty()) throw item.Fail("", "needs configMapRef or secretRef");
    if (!std::regex_match(entry.name, std::regex("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?"))) {
      throw item.Fail(entry.kind, "'" + entry.name + "' is not a valid object name");
    }
    entry.prefix = item.String("prefix");
    out.push_back(entry);
  }
  return out;
}

std::vector<SecretRefSetting> ReadSecretRefs(const Reader& reader) {
  std::vector<SecretRefSetting> out;
  if (!reader.Has("secret_refs")) return out;
  const nlohmann::json& map = reader.Raw("secret_refs");
  if (!map.is_object()) throw reader.Fail("secret_refs", "must map variable names to {secret, key} or \"SECRET/KEY\"");
  for (const auto& [env, value] : map.items()) {
    std::string field = "secret_refs." + env;
    if (!std::regex_match(env, kEnvName)) throw reader.Fail(field, "'" + env + "' is not a valid variable name");
    SecretRefSetting ref;
    ref.env = env;
    if (value.is_string()) {
      std::string text = value.get<std::string>();
      size_t slash = text.find('/');
      if (slash == std::string::npos) throw reader.Fail(field, "must be \"SECRET/KEY\" or {secret, key}");
      ref.secret = text.substr(0, slash);
      ref.key = text.substr(slash + 1);
    } else {
      Reader item("k8s target setting '" + field + "'", value);
      item.OnlyKeys({"secret", "key", "optional"});
      ref.secret = item.String("secret");
      ref.key = item.String("key", env);
      ref.optional = item.Bool("optional", false);
    }
    if (!std::regex_match(ref.secret, std::regex("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?"))) {
      throw reader.Fail(field, "'" + ref.secret + "' is not a valid Secret name");
    }
    if (!std::regex_match(ref.key, kSecretKey)) throw reader.Fail(field, "'" + ref.key + "' is not a valid Secret key");
    out.push_back(ref);
  }
  return out;
}

ServiceSetting ReadService(const Reader& reader) {
  ServiceSetting service;
  if (!reader.Has("service")) return service;
  const nlohmann::json& value = reader.Raw("service");
  if (value.is_boolean()) {
    service.enabled = value.get<bool>();
    return service;
  }
  Reader item("k8s target setting 'service'", value);
  item.OnlyKeys({"enabled", "name", "type", "port", "annotations"});
  service.enabled = item.Bool("enabled", true);
  service.name = item.String("name");
  service.type = item.String("type", "ClusterIP");
  if (service.type != "ClusterIP" && service.type != "NodePort" && service.type != "LoadBalancer") {
    throw item.Fail("type", "must be ClusterIP, NodePort or LoadBalancer");
  }
  service.annotations = item.StringMap("annotations");
  return service;
}

nlohmann::json ReadResources(const Reader& reader) {
  if (!reader.Has("resources")) return nullptr;
  const nlohmann::json& value = reader.Raw("resources");
  Reader item("k8s target setting 'resources'", value);
  item.OnlyKeys({"requests", "limits"});
  nlohmann::json out = nlohmann::json::object();
  for (const char* kind : {"requests", "limits"}) {
    auto quantities = item.StringMap(kind);
    if (quantities.empty()) continue;
    out[kind] = nlohmann::json::object();
    for (const auto& [name, quantity] : quantities) out[kind][name] = quantity;
  }
  return out;
}

}  // namespace

TargetSettings TargetSettings::Parse(const nlohmann::json& json) {
  // Keys and plain types were checked by the host against TargetSchema();
  // what is left here is what a schema cannot say (names Kubernetes accepts,
  // settings of several shapes, settings that exclude each other).
  Reader reader("k8s target setting", json);
  TargetSettings settings;
  settings.connection = ReadConnection(reader);
  settings.name = reader.String("name");
  if (!settings.name.empty() && !std::regex_match(settings.name, kDnsLabel)) {
    throw reader.Fail("name", "'" + settings.name + "' must be a DNS label (lower-case letters, digits, '-', at most 63)");
  }
  settings.container = reader.String("container");
  if (!settings.container.empty() && !std::regex_match(settings.container, kDnsLabel)) {
    throw reader.Fail("container", "'" + settings.container + "' must be a DNS label");
  }
  settings.replicas = reader.Int("replicas", 0);
  settings.ports = ReadPorts(reader);
  settings.resources = ReadResources(reader);
  settings.env = reader.StringMap("env");
  for (const auto& [name, value] : settings.env) {
    if (!std::regex_match(name, kEnvName)) throw reader.Fail("env." + name, "'" + name + "' is not a valid variable name");
  }
  settings.env_from = ReadEnvFrom(reader);
  settings.secret_refs = ReadSecretRefs(reader);
  for (const auto& ref : settings.secret_refs) {
    if (settings.env.count(ref.env)) throw reader.Fail("secret_refs." + ref.env, "is also set in env");
  }
  settings.service = ReadService(reader);
  if (reader.Has("service") && reader.Raw("service").is_object() && reader.Raw("service").contains("port")) {
    Reader item("k8s target setting 'service'", reader.Raw("service"));
    int port = item.Int("port", 1).value();
    if (port > 65535) throw item.Fail("port", "must be a port number (1-65535)");
    if (settings.ports.empty()) throw item.Fail("port", "needs a container port (set port or ports)");
    settings.ports.front().service_port = port;
  }
  // A single port without its own service port is served on 80.
  if (!settings.ports.empty() && settings.ports.front().service_port == 0) settings.ports.front().service_port = 80;
  settings.labels = reader.StringMap("labels");
  settings.annotations = reader.StringMap("annotations");
  settings.pod_labels = reader.StringMap("pod_labels");
  settings.pod_annotations = reader.StringMap("pod_annotations");
  settings.progress_deadline_seconds = reader.Int("progress_deadline_seconds", 1);
  settings.revision_history_limit = reader.Int("revision_history_limit", 0);
  settings.command = reader.Strings("command");
  settings.args = reader.Strings("args");
  settings.service_account = reader.String("service_account");
  settings.image_pull_secrets = reader.Strings("image_pull_secrets");
  for (const auto& secret : settings.image_pull_secrets) {
    if (!std::regex_match(secret, kObjectName)) throw reader.Fail("image_pull_secrets", "'" + secret + "' is not a valid Secret name");
  }
  settings.pull_secret = reader.String("pull_secret", kPullSecretNone);
  if (settings.pull_secret != kPullSecretNone && settings.pull_secret != kPullSecretAuto) {
    if (!std::regex_match(settings.pull_secret, kObjectName)) {
      throw reader.Fail("pull_secret", "'" + settings.pull_secret + "' must be none, auto or a Secret name");
    }
    for (const auto& secret : settings.image_pull_secrets) {
      if (secret == settings.pull_secret) {
        throw reader.Fail("pull_secret", "'" + secret + "' is also in image_pull_secrets; berth would overwrite a Secret you manage");
      }
    }
  }
  settings.create_namespace = reader.Bool("create_namespace", false);
  settings.probes = reader.Bool("probes", true);
  settings.force_conflicts = reader.Bool("force_conflicts", false);
  settings.url = reader.String("url");
  if (!settings.url.empty() && settings.url.rfind("http://", 0) != 0 && settings.url.rfind("https://", 0) != 0) {
    throw reader.Fail("url", "must start with http:// or https://");
  }
  return settings;
}

SecretStoreSettings SecretStoreSettings::Parse(const nlohmann::json& json) {
  Reader reader("k8s secret store setting", json);
  SecretStoreSettings settings;
  settings.connection = ReadConnection(reader);
  settings.secret = reader.String("secret", settings.secret);
  return settings;
}

std::string SecretStoreSettings::SecretName(const std::string& environment) const {
  std::string name = secret;
  for (size_t at; (at = name.find("{environment}")) != std::string::npos;) name.replace(at, 13, environment);
  if (!std::regex_match(name, std::regex("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?"))) {
    throw Error(ErrorCode::kInvalidInput, "k8s secret store: '" + name +
                                              "' is not a valid Secret name (set `secret` in the store settings)");
  }
  return name;
}

Cluster OpenCluster(const ConnectionSettings& connection) {
  KubeConfigOptions options = KubeConfigOptions::FromEnvironment();
  options.kubeconfig = connection.kubeconfig;
  options.context = connection.context;
  options.in_cluster = connection.in_cluster;
  KubeAccess access = LoadKubeAccess(options);
  Cluster cluster;
  cluster.namespace_name = !connection.namespace_name.empty() ? connection.namespace_name
                           : !access.namespace_name.empty()   ? access.namespace_name
                                                              : "default";
  cluster.client = std::make_unique<KubeClient>(std::move(access));
  return cluster;
}

}  // namespace berth::k8s
