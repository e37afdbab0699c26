// The target's namespace: berth creates it only when the settings say so
// (create_namespace: true); otherwise a missing namespace is one line naming
// it and that setting, before anything is applied.
#ifndef BERTH_PLUGINS_K8S_NAMESPACE_SETUP_H_
#define BERTH_PLUGINS_K8S_NAMESPACE_SETUP_H_

#include <nlohmann/json.hpp>

#include <string>

#include "kube_client.h"

namespace berth::k8s {

// kUnknown: the credential may not read namespaces (a namespace-scoped
// role), so the writes themselves will tell.
enum class NamespaceState { kExists, kMissing, kUnknown };

NamespaceState NamespaceStateOf(KubeClient& client, const std::string& name);

// A Namespace labelled as berth's.
nlohmann::json RenderNamespace(const std::string& name);

// The error for a missing namespace berth may not create (kNotFound).
Error MissingNamespace(const KubeClient& client, const std::string& name);

// Creates the namespace when it is missing and `create`; throws
// MissingNamespace when it is missing and not `create`. True when it
// created it.
bool EnsureNamespace(KubeClient& client, const std::string& name, bool create);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_NAMESPACE_SETUP_H_
