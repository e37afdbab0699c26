#include "history.h"

#include <algorithm>

#include "berth/error.h"
#include "manifests.h"

namespace berth::k8s {
namespace {

std::string Annotation(const nlohmann::json& object, const char* key) {
  const nlohmann::json& metadata = object.at("metadata");
  if (!metadata.contains("annotations") || !metadata["annotations"].is_object()) return "";
  auto it = metadata["annotations"].find(key);
  return it != metadata["annotations"].end() && it->is_string() ? it->get<std::string>() : "";
}

nlohmann::json WithoutNulls(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) {
      if (!item.is_null()) out[key] = WithoutNulls(item);
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(WithoutNulls(item));
    return out;
  }
  return value;
}

std::string SelectorFor(const nlohmann::json& deployment) {
  std::string selector;
  const nlohmann::json& spec = deployment.at("spec");
  if (!spec.contains("selector") || !spec["selector"].contains("matchLabels")) return selector;
  for (const auto& [key, value] : spec["selector"]["matchLabels"].items()) {
    selector += (selector.empty() ? "" : ",") + key + "=" + value.get<std::string>();
  }
  return selector;
}

}  // namespace

long RevisionOf(const nlohmann::json& object) {
  std::string text = Annotation(object, kRevisionAnnotation);
  try {
    return text.empty() ? 0 : std::stol(text);
  } catch (const std::exception&) {
    return 0;
  }
}

std::string TemplateImage(const nlohmann::json& pod_template, const std::string& container) {
  if (!pod_template.contains("spec") || !pod_template["spec"].contains("containers")) return "";
  const nlohmann::json& containers = pod_template["spec"]["containers"];
  for (const auto& item : containers) {
    if (item.value("name", "") == container) return item.value("image", "");
  }
  return containers.empty() ? "" : containers[0].value("image", "");
}

std::vector<ReplicaSetRevision> OwnedReplicaSets(KubeClient& client, const nlohmann::json& deployment,
                                                 const std::string& container) {
  const nlohmann::json& metadata = deployment.at("metadata");
  std::string uid = metadata.value("uid", "");
  std::string namespace_name = metadata.value("namespace", "");
  std::string path = ReplicaSetsPath(namespace_name);
  if (std::string selector = SelectorFor(deployment); !selector.empty()) path = WithQuery(path, {{"labelSelector", selector}});
  nlohmann::json list = client.Get(path);
  std::vector<ReplicaSetRevision> out;
  for (const auto& item : list.value("items", nlohmann::json::array())) {
    bool owned = false;
    for (const auto& owner : item["metadata"].value("ownerReferences", nlohmann::json::array())) {
      if (owner.value("controller", false) && owner.value("uid", "") == uid) owned = true;
    }
    if (!owned) continue;
    ReplicaSetRevision revision;
    revision.revision = RevisionOf(item);
    revision.name = item["metadata"].value("name", "");
    revision.created_at = item["metadata"].value("creationTimestamp", "");
    revision.version = Annotation(item, kVersionAnnotation);
    revision.pod_template = item["spec"].value("template", nlohmann::json::object());
    revision.image = TemplateImage(revision.pod_template, container);
    out.push_back(std::move(revision));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.revision < b.revision; });
  return out;
}

const ReplicaSetRevision& RevisionToRestore(const std::vector<ReplicaSetRevision>& history, long revision,
                                            const std::string& deployment_name) {
  if (revision > 0) {
    for (const auto& item : history) {
      if (item.revision == revision) return item;
    }
    throw Error(ErrorCode::kNotFound, "unable to find specified revision " + std::to_string(revision) +
                                          " in history of deployment \"" + deployment_name + "\"");
  }
  // kubectl: the previous revision is the second highest one.
  if (history.size() < 2) {
    throw Error(ErrorCode::kNotFound, "no rollout history found for deployment \"" + deployment_name + "\"");
  }
  return history[history.size() - 2];
}

nlohmann::json RestorableTemplate(const nlohmann::json& pod_template) {
  nlohmann::json out = WithoutNulls(pod_template);
  if (out.contains("metadata") && out["metadata"].contains("labels")) out["metadata"]["labels"].erase(kPodTemplateHashLabel);
  return out;
}

}  // namespace berth::k8s
