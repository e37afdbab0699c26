#include "manifests.h"

#include <algorithm>
#include <cctype>

#include "berth/error.h"

namespace berth::k8s {
namespace {

nlohmann::json StringMap(const std::map<std::string, std::string>& map) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

nlohmann::json CommonLabels(const TargetSettings& settings, const std::string& name) {
  nlohmann::json labels = StringMap(settings.labels);
  labels[kNameLabel] = name;
  labels[kManagedByLabel] = "berth";
  return labels;
}

nlohmann::json Probe(const HealthCheck& health, const std::string& port_name, bool liveness) {
  long interval = std::max<long>(1, long(health.interval.count()));
  nlohmann::json probe = {{"httpGet", {{"path", health.path}, {"port", port_name}}},
                          {"periodSeconds", liveness ? std::max<long>(10, interval) : interval},
                          {"timeoutSeconds", std::min<long>(interval, 5)},
                          {"failureThreshold", 3}};
  return probe;
}

nlohmann::json Container(const RenderInput& input, const std::string& name) {
  const TargetSettings& settings = *input.settings;
  nlohmann::json container = {{"name", settings.container.empty() ? name : settings.container}, {"image", input.image}};
  if (!settings.command.empty()) container["command"] = settings.command;
  if (!settings.args.empty()) container["args"] = settings.args;
  if (!settings.ports.empty()) {
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& port : settings.ports) {
      ports.push_back({{"name", port.name}, {"containerPort", port.container_port}, {"protocol", port.protocol}});
    }
    container["ports"] = ports;
  }
  nlohmann::json env = nlohmann::json::array();
  for (const auto& [key, value] : settings.env) env.push_back({{"name", key}, {"value", value}});
  std::vector<SecretRefSetting> refs = settings.secret_refs;
  std::sort(refs.begin(), refs.end(), [](const auto& a, const auto& b) { return a.env < b.env; });
  for (const auto& ref : refs) {
    nlohmann::json selector = {{"name", ref.secret}, {"key", ref.key}};
    if (ref.optional) selector["optional"] = true;
    env.push_back({{"name", ref.env}, {"valueFrom", {{"secretKeyRef", selector}}}});
  }
  if (!env.empty()) container["env"] = env;
  if (!settings.env_from.empty()) {
    nlohmann::json env_from = nlohmann::json::array();
    for (const auto& entry : settings.env_from) {
      nlohmann::json ref = {{"name", entry.name}};
      if (entry.optional) ref["optional"] = true;
      nlohmann::json item = {{entry.kind, ref}};
      if (!entry.prefix.empty()) item["prefix"] = entry.prefix;
      env_from.push_back(item);
    }
    container["envFrom"] = env_from;
  }
  if (settings.resources.is_object() && !settings.resources.empty()) container["resources"] = settings.resources;
  if (input.health && settings.probes && !settings.ports.empty()) {
    container["readinessProbe"] = Probe(*input.health, settings.ports.front().name, false);
    container["livenessProbe"] = Probe(*input.health, settings.ports.front().name, true);
  }
  return container;
}

}  // namespace

std::string ObjectName(const TargetSettings& settings, const std::string& service) {
  return settings.name.empty() ? service : settings.name;
}

std::string VersionLabelValue(const std::string& version) {
  std::string out;
  for (char c : version) {
    bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    out += allowed ? c : '_';
  }
  if (out.size() > 63) out.resize(63);
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.back()))) out.pop_back();
  size_t start = 0;
  while (start < out.size() && !std::isalnum(static_cast<unsigned char>(out[start]))) ++start;
  return out.substr(start);
}

nlohmann::json RenderDeployment(const RenderInput& input) {
  const TargetSettings& settings = *input.settings;
  std::string name = ObjectName(settings, input.service);
  if (input.image.find("@sha256:") == std::string::npos) {
    throw Error(ErrorCode::kInvalidInput, "k8s: refusing to render image '" + input.image + "' without a digest");
  }
  nlohmann::json labels = CommonLabels(settings, name);
  if (std::string version = VersionLabelValue(input.version); !version.empty()) labels[kVersionLabel] = version;
  nlohmann::json annotations = StringMap(settings.annotations);
  annotations[kImageAnnotation] = input.image;
  if (!input.version.empty()) annotations[kVersionAnnotation] = input.version;
  if (!input.change_cause.empty()) annotations[kChangeCauseAnnotation] = input.change_cause;

  nlohmann::json pod_labels = StringMap(settings.pod_labels);
  for (const auto& [key, value] : settings.labels) pod_labels[key] = value;
  pod_labels[kNameLabel] = name;
  nlohmann::json pod_metadata = {{"labels", pod_labels}};
  if (!settings.pod_annotations.empty()) pod_metadata["annotations"] = StringMap(settings.pod_annotations);
  nlohmann::json pod_spec = {{"containers", nlohmann::json::array({Container(input, name)})}};
  if (!settings.service_account.empty()) pod_spec["serviceAccountName"] = settings.service_account;
  std::vector<std::string> pull_secrets = settings.image_pull_secrets;
  if (!input.pull_secret.empty() &&
      std::find(pull_secrets.begin(), pull_secrets.end(), input.pull_secret) == pull_secrets.end()) {
    pull_secrets.push_back(input.pull_secret);
  }
  if (!pull_secrets.empty()) {
    nlohmann::json secrets = nlohmann::json::array();
    for (const auto& secret : pull_secrets) secrets.push_back({{"name", secret}});
    pod_spec["imagePullSecrets"] = secrets;
  }

  nlohmann::json spec = {{"selector", {{"matchLabels", {{kNameLabel, name}}}}},
                         {"template", {{"metadata", pod_metadata}, {"spec", pod_spec}}}};
  // Without a replicas setting berth leaves the count alone (an autoscaler may own it).
  if (settings.replicas) spec["replicas"] = *settings.replicas;
  if (settings.progress_deadline_seconds) spec["progressDeadlineSeconds"] = *settings.progress_deadline_seconds;
  if (settings.revision_history_limit) spec["revisionHistoryLimit"] = *settings.revision_history_limit;
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}, {"namespace", input.namespace_name}, {"labels", labels}, {"annotations", annotations}}},
          {"spec", spec}};
}

std::optional<nlohmann::json> RenderService(const RenderInput& input) {
  const TargetSettings& settings = *input.settings;
  if (!settings.service.enabled) return std::nullopt;
  nlohmann::json ports = nlohmann::json::array();
  for (const auto& port : settings.ports) {
    if (port.service_port == 0) continue;
    ports.push_back({{"name", port.name}, {"port", port.service_port}, {"targetPort", port.name}, {"protocol", port.protocol}});
  }
  if (ports.empty()) return std::nullopt;
  std::string name = ObjectName(settings, input.service);
  nlohmann::json metadata = {{"name", settings.service.name.empty() ? name : settings.service.name},
                             {"namespace", input.namespace_name},
                             {"labels", CommonLabels(settings, name)}};
  if (!settings.service.annotations.empty()) metadata["annotations"] = StringMap(settings.service.annotations);
  return nlohmann::json{{"apiVersion", "v1"},
                        {"kind", "Service"},
                        {"metadata", metadata},
                        {"spec", {{"type", settings.service.type}, {"selector", {{kNameLabel, name}}}, {"ports", ports}}}};
}

std::string DeploymentPath(const std::string& namespace_name, const std::string& name) {
  return "/apis/apps/v1/namespaces/" + namespace_name + "/deployments/" + name;
}

std::string ServicePath(const std::string& namespace_name, const std::string& name) {
  return "/api/v1/namespaces/" + namespace_name + "/services/" + name;
}

std::string SecretPath(const std::string& namespace_name, const std::string& name) {
  return "/api/v1/namespaces/" + namespace_name + "/secrets/" + name;
}

std::string NamespacePath(const std::string& name) { return "/api/v1/namespaces/" + name; }

std::string ReplicaSetsPath(const std::string& namespace_name) {
  return "/apis/apps/v1/namespaces/" + namespace_name + "/replicasets";
}

std::string PathOf(const nlohmann::json& object) {
  std::string kind = object.value("kind", "");
  const nlohmann::json& metadata = object.at("metadata");
  std::string namespace_name = metadata.value("namespace", "");
  std::string name = metadata.value("name", "");
  if (kind == "Deployment") return DeploymentPath(namespace_name, name);
  if (kind == "Service") return ServicePath(namespace_name, name);
  if (kind == "Secret") return SecretPath(namespace_name, name);
  if (kind == "Namespace") return NamespacePath(name);
  throw Error("k8s: no API path known for kind " + kind);
}

}  // namespace berth::k8s
