// Renders the Deployment and Service berth applies for a service: the image
// by digest, environment from values, ConfigMaps and Secrets, ports, probes
// on the health path, resources, replicas, and the labels and annotations
// that let history and rollback name versions.
#ifndef BERTH_PLUGINS_K8S_MANIFESTS_H_
#define BERTH_PLUGINS_K8S_MANIFESTS_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "berth/target.h"
#include "k8s_settings.h"

namespace berth::k8s {

inline constexpr char kFieldManager[] = "berth";
inline constexpr char kNameLabel[] = "app.kubernetes.io/name";
inline constexpr char kManagedByLabel[] = "app.kubernetes.io/managed-by";
inline constexpr char kVersionLabel[] = "app.kubernetes.io/version";
inline constexpr char kVersionAnnotation[] = "berth.dev/version";
inline constexpr char kImageAnnotation[] = "berth.dev/image";
inline constexpr char kRegistryAnnotation[] = "berth.dev/registry";
inline constexpr char kChangeCauseAnnotation[] = "kubernetes.io/change-cause";
inline constexpr char kRevisionAnnotation[] = "deployment.kubernetes.io/revision";
inline constexpr char kPodTemplateHashLabel[] = "pod-template-hash";

struct RenderInput {
  const TargetSettings* settings = nullptr;
  std::string service;         // berth.yaml's service: the default object name.
  std::string namespace_name;
  std::string image;           // repository@sha256:...
  std::string version;
  std::optional<HealthCheck> health;
  std::string change_cause;
  std::string pull_secret;     // berth's imagePullSecret, referenced after image_pull_secrets; "" for none.
};

// The Deployment's (and Service's) name.
std::string ObjectName(const TargetSettings& settings, const std::string& service);

// A version as a label value (at most 63 of [A-Za-z0-9._-], alphanumeric at
// both ends); empty when nothing usable remains.
std::string VersionLabelValue(const std::string& version);

nlohmann::json RenderDeployment(const RenderInput& input);
// nullopt when there is no port or the service is turned off.
std::optional<nlohmann::json> RenderService(const RenderInput& input);

// API paths of objects.
std::string DeploymentPath(const std::string& namespace_name, const std::string& name);
std::string ServicePath(const std::string& namespace_name, const std::string& name);
std::string SecretPath(const std::string& namespace_name, const std::string& name);
std::string NamespacePath(const std::string& name);
std::string ReplicaSetsPath(const std::string& namespace_name);
std::string PathOf(const nlohmann::json& object);  // From apiVersion, kind, namespace and name.

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_MANIFESTS_H_
