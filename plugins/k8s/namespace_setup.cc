#include "namespace_setup.h"

#include "apply.h"
#include "berth/error.h"
#include "manifests.h"

namespace berth::k8s {

NamespaceState NamespaceStateOf(KubeClient& client, const std::string& name) {
  try {
    return client.GetIfExists(NamespacePath(name)) ? NamespaceState::kExists : NamespaceState::kMissing;
  } catch (const KubeApiError& error) {
    if (error.http_status() == 403) return NamespaceState::kUnknown;
    throw;
  }
}

nlohmann::json RenderNamespace(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}, {"labels", {{kManagedByLabel, "berth"}}}}}};
}

Error MissingNamespace(const KubeClient& client, const std::string& name) {
  return Error(ErrorCode::kNotFound, "namespace \"" + name + "\" does not exist on " + client.access().server + " (" +
                                         client.access().source +
                                         "); set create_namespace: true in the target settings to have berth create it");
}

bool EnsureNamespace(KubeClient& client, const std::string& name, bool create) {
  if (NamespaceStateOf(client, name) != NamespaceState::kMissing) return false;
  if (!create) throw MissingNamespace(client, name);
  ServerSideApply(client, RenderNamespace(name));
  return true;
}

}  // namespace berth::k8s
