// A Deployment's history: the ReplicaSets it owns, one per pod template, each
// with its `deployment.kubernetes.io/revision`; and the choice of the one to
// return to, as `kubectl rollout undo` makes it.
#ifndef BERTH_PLUGINS_K8S_HISTORY_H_
#define BERTH_PLUGINS_K8S_HISTORY_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "kube_client.h"

namespace berth::k8s {

struct ReplicaSetRevision {
  long revision = 0;
  std::string name;
  std::string image;       // Of the deployment's container (else the first).
  std::string version;     // berth.dev/version, when berth deployed it.
  std::string created_at;
  nlohmann::json pod_template;
};

// Owned through a controller ownerReference; sorted by revision, oldest first.
std::vector<ReplicaSetRevision> OwnedReplicaSets(KubeClient& client, const nlohmann::json& deployment,
                                                 const std::string& container);

// `revision` 0 means the one before the newest. Throws Error(kNotFound) with
// kubectl's wording when there is none.
const ReplicaSetRevision& RevisionToRestore(const std::vector<ReplicaSetRevision>& history, long revision,
                                            const std::string& deployment_name);

// The template as it should go back into the Deployment: without the
// pod-template-hash label, and without the nulls the server prints.
nlohmann::json RestorableTemplate(const nlohmann::json& pod_template);

// The image of `container` in a pod template (the first container when it is absent).
std::string TemplateImage(const nlohmann::json& pod_template, const std::string& container);

// The revision annotation of an object, 0 when it has none.
long RevisionOf(const nlohmann::json& object);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_HISTORY_H_
