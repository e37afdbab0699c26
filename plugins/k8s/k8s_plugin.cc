// The k8s plugin: a Kubernetes target and a Kubernetes Secret store, talking
// to the API server itself over HTTPS (no kubectl needed at run time).
#include "berth/plugin.h"
#include "k8s_schema.h"
#include "k8s_secret_store.h"
#include "k8s_target.h"

namespace berth::k8s {
namespace {

void Register(Registrar& registrar) {
  registrar.SetDescription("Kubernetes: deploy a Deployment and Service by server-side apply; Secrets as a secret store");
  registrar.AddTarget("k8s", "A Deployment and a Service, applied server-side, rollout waited as kubectl does",
                      [](const nlohmann::json& settings) { return std::make_unique<K8sTarget>(settings); }, TargetSchema());
  registrar.AddSecretStore("k8s", "Keys of one Kubernetes Secret per environment, written by server-side apply",
                           [](const nlohmann::json& settings) { return std::make_unique<K8sSecretStore>(settings); },
                           SecretStoreSchema());
}

}  // namespace
}  // namespace berth::k8s

BERTH_PLUGIN("k8s", "1.0.0", berth::k8s::Register)
