#include "k8s_schema.h"

namespace berth::k8s {
namespace {

// The connection settings both kinds share. A kubeconfig names a server
// (where the token goes) and may name an exec: program, so it is a
// credential file in the trust sense.
Setting Kubeconfig() {
  return Setting::Path("The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)").CredentialFile().CommandLineFlag("kubeconfig");
}
Setting Context() { return Setting::Text("The kubeconfig context (default: its current-context)").CommandLineFlag("context"); }
Setting Namespace() { return Setting::Text("The namespace (default: the context's, then default)"); }
Setting InCluster() { return Setting::Boolean("Use the pod's service account instead of a kubeconfig").Default(false); }

Setting Port() { return Setting::WholeNumber("").AtLeast(1).AtMost(65535); }

}  // namespace

SettingsSchema TargetSchema() {
  return SettingsSchema{
      {"kubeconfig", Kubeconfig()},
      {"context", Context()},
      {"namespace", Namespace()},
      {"in_cluster", InCluster()},
      {"name", Setting::Text("The Deployment's and Service's name (default: the service name)")},
      {"container", Setting::Text("The container's name (default: the Deployment's)")},
      {"replicas", Setting::WholeNumber("Pods to run (default: 1, or what an autoscaler set)").AtLeast(0)},
      {"port", Port()},
      {"ports", Setting::ListOf(Setting::Group(SettingsSchema{{"name", Setting::Text("Port name (15 characters at most)")},
                                                              {"port", Port().Required()},
                                                              {"service_port", Port()},
                                                              {"protocol", Setting::Choice({"TCP", "UDP", "SCTP"}, "").Default("TCP")}},
                                               ""),
                                "Container ports, each also served by the Service")},
      {"resources", Setting::Group(SettingsSchema{{"requests", Setting::TextMap("cpu, memory, ...")},
                                                  {"limits", Setting::TextMap("cpu, memory, ...")}},
                                   "The container's resource requests and limits")},
      {"env", Setting::TextMap("Environment variables")},
      {"env_from", Setting::Value("A list of {configMapRef: NAME} or {secretRef: NAME}, with an optional prefix")},
      {"secret_refs", Setting::Value("Variables from Secrets: NAME: \"SECRET/KEY\" or {secret, key, optional}")},
      {"service", Setting::Value("false for no Service, or {enabled, name, type, port, annotations}")},
      {"labels", Setting::TextMap("Labels of the Deployment and Service")},
      {"annotations", Setting::TextMap("Annotations of the Deployment and Service")},
      {"pod_labels", Setting::TextMap("Labels of the pods")},
      {"pod_annotations", Setting::TextMap("Annotations of the pods")},
      {"progress_deadline_seconds", Setting::WholeNumber("Seconds a rollout may make no progress").AtLeast(1)},
      {"revision_history_limit", Setting::WholeNumber("Old ReplicaSets kept for rollback").AtLeast(0)},
      {"command", Setting::TextList("The container's command (its entrypoint)")},
      {"args", Setting::TextList("The container's arguments")},
      {"service_account", Setting::Text("The pods' service account")},
      {"image_pull_secrets", Setting::TextList("Secrets the kubelet pulls the image with")},
      // Sends the user's registry login to the cluster: the project must be
      // trusted for berth.yaml to choose it (docs/k8s.md, private images).
      {"pull_secret", Setting::Text("none, auto, or a Secret's name: an imagePullSecret made from berth's own credential "
                                    "for the image's registry")
                          .Default("none")
                          .ExportsCredentials()},
      {"create_namespace", Setting::Boolean("Create the namespace when it does not exist").Default(false)},
      {"probes", Setting::Boolean("Readiness and liveness probes on the first port").Default(true)},
      {"force_conflicts", Setting::Boolean("Take over fields another field manager owns").Default(false)},
      {"url", Setting::Text("Where the deployed service answers, for the health check")},
  };
}

SettingsSchema SecretStoreSchema() {
  return SettingsSchema{
      {"kubeconfig", Kubeconfig()},
      {"context", Context()},
      {"namespace", Namespace()},
      {"in_cluster", InCluster()},
      {"secret", Setting::Text("The Secret's name; {environment} is replaced").Default("berth-{environment}")},
  };
}

}  // namespace berth::k8s
