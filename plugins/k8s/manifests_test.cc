#include "manifests.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/settings.h"
#include "k8s_schema.h"

namespace berth::k8s {
namespace {

const std::string kManifestImage = "registry.example/web@sha256:" + std::string(64, 'a');

template <typename Fn>
std::string ManifestErrorOf(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ManifestsTest, RendersADeploymentWithEverythingTheSettingsAskFor) {
  TargetSettings settings = TargetSettings::Parse(nlohmann::json::parse(R"({
    "replicas": 3, "port": 8080, "progress_deadline_seconds": 120, "revision_history_limit": 5,
    "env": {"LOG_LEVEL": "debug", "WORKERS": 4},
    "env_from": [{"configMapRef": "web-config"}, {"secretRef": {"name": "web-secrets", "optional": true}, "prefix": "S_"}],
    "secret_refs": {"DB_PASSWORD": {"secret": "db", "key": "password"}, "API_KEY": "web-secrets/API_KEY"},
    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
    "labels": {"team": "payments"}, "annotations": {"owner": "alice"},
    "pod_annotations": {"prometheus.io/scrape": "true"},
    "service_account": "web", "image_pull_secrets": ["regcred"], "args": ["--serve"]
  })"));
  HealthCheck health;
  health.path = "/healthz";
  health.interval = std::chrono::seconds(2);
  RenderInput input{&settings, "web", "prod", kManifestImage, "1.4.2+build.7", health, "berth deploy 1.4.2"};
  nlohmann::json deployment = RenderDeployment(input);
  nlohmann::json expected = nlohmann::json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "prod",
      "labels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/managed-by": "berth",
                 "app.kubernetes.io/version": "1.4.2_build.7", "team": "payments"},
      "annotations": {"owner": "alice", "berth.dev/image": "IMAGE", "berth.dev/version": "1.4.2+build.7",
                      "kubernetes.io/change-cause": "berth deploy 1.4.2"}},
    "spec": {"replicas": 3, "progressDeadlineSeconds": 120, "revisionHistoryLimit": 5,
      "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
      "template": {
        "metadata": {"labels": {"app.kubernetes.io/name": "web", "team": "payments"},
                     "annotations": {"prometheus.io/scrape": "true"}},
        "spec": {"serviceAccountName": "web", "imagePullSecrets": [{"name": "regcred"}],
          "containers": [{"name": "web", "image": "IMAGE", "args": ["--serve"],
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "env": [{"name": "LOG_LEVEL", "value": "debug"}, {"name": "WORKERS", "value": "4"},
                    {"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "web-secrets", "key": "API_KEY"}}},
                    {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}],
            "envFrom": [{"configMapRef": {"name": "web-config"}},
                        {"secretRef": {"name": "web-secrets", "optional": true}, "prefix": "S_"}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 2, "timeoutSeconds": 2, "failureThreshold": 3},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 3}
          }]}}}})");
  expected["metadata"]["annotations"]["berth.dev/image"] = kManifestImage;
  expected["spec"]["template"]["spec"]["containers"][0]["image"] = kManifestImage;
  EXPECT_EQ(deployment, expected) << deployment.dump(2);

  auto service = RenderService(input);
  ASSERT_TRUE(service);
  EXPECT_EQ(*service, nlohmann::json::parse(R"({"apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "web", "namespace": "prod",
                 "labels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/managed-by": "berth", "team": "payments"}},
    "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": "web"},
             "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}})"));
}

TEST(ManifestsTest, MinimalSettingsLeaveReplicasAloneAndHaveNoService) {
  TargetSettings settings = TargetSettings::Parse(nlohmann::json::object());
  RenderInput input{&settings, "worker", "default", kManifestImage, "", std::nullopt, ""};
  nlohmann::json deployment = RenderDeployment(input);
  EXPECT_FALSE(deployment["spec"].contains("replicas"));
  EXPECT_FALSE(deployment["metadata"]["labels"].contains("app.kubernetes.io/version"));
  EXPECT_FALSE(deployment["metadata"]["annotations"].contains("berth.dev/version"));
  EXPECT_FALSE(RenderService(input));
  input.image = "registry.example/web:latest";
  EXPECT_EQ(ManifestErrorOf([&] { RenderDeployment(input); }),
            "k8s: refusing to render image 'registry.example/web:latest' without a digest");
}

TEST(ManifestsTest, ServiceSettingsAndSeveralPorts) {
  TargetSettings settings = TargetSettings::Parse(nlohmann::json::parse(R"({
    "name": "api", "ports": [{"name": "http", "port": 8080, "service_port": 8000}, {"name": "metrics", "port": 9090}],
    "service": {"type": "LoadBalancer", "annotations": {"lb": "internal"}}})"));
  RenderInput input{&settings, "web", "default", kManifestImage, "2.0.0", std::nullopt, ""};
  auto service = RenderService(input);
  ASSERT_TRUE(service);
  EXPECT_EQ((*service)["metadata"]["name"], "api");
  EXPECT_EQ((*service)["metadata"]["annotations"], nlohmann::json::parse(R"({"lb": "internal"})"));
  EXPECT_EQ((*service)["spec"]["type"], "LoadBalancer");
  EXPECT_EQ((*service)["spec"]["ports"],
            nlohmann::json::parse(R"([{"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}])"));
  EXPECT_EQ(RenderDeployment(input)["spec"]["template"]["spec"]["containers"][0]["ports"].size(), 2u);
  settings.service.enabled = false;
  EXPECT_FALSE(RenderService(input));
}

TEST(ManifestsTest, VersionLabelValues) {
  EXPECT_EQ(VersionLabelValue("1.4.2"), "1.4.2");
  EXPECT_EQ(VersionLabelValue("v1.0.0+sha.abc"), "v1.0.0_sha.abc");
  EXPECT_EQ(VersionLabelValue("-weird-"), "weird");
  EXPECT_EQ(VersionLabelValue(std::string(70, '9')), std::string(63, '9'));
  EXPECT_EQ(VersionLabelValue("+++"), "");
}

// As the k8s target gets them: checked by the host against the declared
// schema first, then read by the plugin.
TargetSettings ParseChecked(const char* json) {
  SettingsOrigin origin;
  origin.owner = "the k8s target";
  return TargetSettings::Parse(CheckSettings(TargetSchema().ToJson(), nlohmann::json::parse(json), origin));
}

TEST(SettingsTest, UnknownAndMalformedSettingsAreNamed) {
  auto error = [](const char* json) { return ManifestErrorOf([&] { ParseChecked(json); }); };
  EXPECT_EQ(error(R"({"replica": 2})"),
            "settings of the k8s target: replica: unknown setting (did you mean 'replicas'?)");
  EXPECT_EQ(error(R"({"sidecar": true})"),
            "settings of the k8s target: sidecar: unknown setting (known: annotations, args, command, container, "
            "context, create_namespace, env, env_from, force_conflicts, image_pull_secrets, in_cluster, kubeconfig, "
            "labels, name, namespace, pod_annotations, pod_labels, port, ports, probes, progress_deadline_seconds, "
            "pull_secret, replicas, resources, revision_history_limit, secret_refs, service, service_account, url)");
  EXPECT_EQ(error(R"({"replicas": "two"})"), "settings of the k8s target: replicas: must be a whole number");
  EXPECT_EQ(error(R"({"port": 70000})"), "settings of the k8s target: port: must be at most 65535");
  EXPECT_EQ(error(R"({"ports": [{"port": 80, "protocol": "tcp"}]})"),
            "settings of the k8s target: ports[0].protocol: 'tcp' is not one of TCP, UDP, SCTP (did you mean 'TCP'?)");
  EXPECT_EQ(error(R"({"namespace": "Prod"})"), "k8s target setting 'namespace': 'Prod' is not a valid namespace name");
  EXPECT_EQ(error(R"({"secret_refs": {"X": "nokey"}})"), "k8s target setting 'secret_refs.X': must be \"SECRET/KEY\" or {secret, key}");
  EXPECT_EQ(error(R"({"env_from": [{"configMap": "x"}]})"),
            "k8s target setting 'env_from[0]' 'configMap': unknown setting (known: configMapRef, prefix, secretRef)");
  EXPECT_EQ(error(R"({"service": {"type": "ExternalName"}})"),
            "k8s target setting 'service' 'type': must be ClusterIP, NodePort or LoadBalancer");
  EXPECT_EQ(error(R"({"service": {"port": 80}})"), "k8s target setting 'service' 'port': needs a container port (set port or ports)");
  EXPECT_EQ(error(R"({"url": "example.com"})"), "k8s target setting 'url': must start with http:// or https://");
  SettingsOrigin origin;
  origin.owner = "the k8s secret store";
  EXPECT_EQ(ManifestErrorOf([&] { CheckSettings(SecretStoreSchema().ToJson(), nlohmann::json::parse(R"({"name": "x"})"), origin); }),
            "settings of the k8s secret store: name: unknown setting (known: context, in_cluster, kubeconfig, namespace, secret)");
}

// YAML's typing does not leak: text stays text, numbers written as text are
// numbers where a number is declared.
TEST(SettingsTest, ValuesArriveAsDeclared) {
  TargetSettings settings = ParseChecked(R"({"replicas": "3", "env": {"PORT": 8080, "DEBUG": true}, "probes": "false"})");
  EXPECT_EQ(settings.replicas, 3);
  EXPECT_EQ(settings.env.at("PORT"), "8080");
  EXPECT_EQ(settings.env.at("DEBUG"), "true");
  EXPECT_FALSE(settings.probes);
}

TEST(SettingsTest, SecretNames) {
  SecretStoreSettings settings = SecretStoreSettings::Parse(nlohmann::json::object());
  EXPECT_EQ(settings.SecretName("dev"), "berth-dev");
  settings = SecretStoreSettings::Parse(nlohmann::json::parse(R"({"secret": "web-{environment}-secrets"})"));
  EXPECT_EQ(settings.SecretName("prod"), "web-prod-secrets");
  EXPECT_EQ(ManifestErrorOf([&] { settings.SecretName("Prod_1"); }),
            "k8s secret store: 'web-Prod_1-secrets' is not a valid Secret name (set `secret` in the store settings)");
}

}  // namespace
}  // namespace berth::k8s
