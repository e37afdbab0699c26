// A field-level diff of two Kubernetes objects (the live one and what a
// dry-run apply says it would become), for `berth deploy --dry-run`.
#ifndef BERTH_PLUGINS_K8S_OBJECT_DIFF_H_
#define BERTH_PLUGINS_K8S_OBJECT_DIFF_H_

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace berth::k8s {

struct FieldChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind;
  std::string path;       // spec.template.spec.containers[name=web].image
  nlohmann::json before;  // null when added
  nlohmann::json after;   // null when removed
};

// The object without what the server keeps for itself (status,
// managedFields, resourceVersion, generation, uid, creationTimestamp).
nlohmann::json Comparable(const nlohmann::json& object);

// Lists of objects that all carry a "name" are matched by name, others by index.
std::vector<FieldChange> DiffObjects(const nlohmann::json& before, const nlohmann::json& after);

// "  ~ path: before -> after", one line each.
std::string FormatChanges(const std::vector<FieldChange>& changes, const std::string& indent = "  ");

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_OBJECT_DIFF_H_
