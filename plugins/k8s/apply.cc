#include "apply.h"

#include "berth/util/log.h"
#include "manifests.h"

namespace berth::k8s {

std::string Describe(const nlohmann::json& object) {
  const nlohmann::json& metadata = object.at("metadata");
  std::string namespace_name = metadata.value("namespace", "");
  return object.value("kind", "object") + " " + (namespace_name.empty() ? "" : namespace_name + "/") + metadata.value("name", "");
}

std::string ConflictMessage(const nlohmann::json& object, const nlohmann::json& status, const std::string& hint) {
  std::string fields;
  const nlohmann::json* causes = nullptr;
  if (status.contains("details") && status["details"].is_object() && status["details"].contains("causes")) {
    causes = &status["details"]["causes"];
  }
  size_t count = 0;
  if (causes != nullptr && causes->is_array()) {
    for (const auto& cause : *causes) {
      if (cause.value("type", cause.value("reason", "")) != "FieldManagerConflict") continue;
      std::string owner = cause.value("message", "");
      if (owner.rfind("conflict with ", 0) == 0) owner = owner.substr(14);
      fields += (fields.empty() ? "" : "; ") + cause.value("field", "?") + " is owned by field manager " + owner;
      ++count;
    }
  }
  if (fields.empty()) fields = status.value("message", "the server reported a conflict");
  return Describe(object) + ": server-side apply conflict" + (count > 1 ? "s" : "") + ": " + fields + "; " + hint;
}

nlohmann::json ServerSideApply(KubeClient& client, const nlohmann::json& object, const ApplyOptions& options) {
  std::vector<std::pair<std::string, std::string>> query = {{"fieldManager", kFieldManager}};
  if (options.force) query.emplace_back("force", "true");
  if (options.dry_run) query.emplace_back("dryRun", "All");
  std::string path = WithQuery(PathOf(object), query);
  log::Debug("k8s: server-side apply of {}{}", Describe(object), options.dry_run ? " (dry run)" : "");
  // JSON is YAML, so the apply content type takes it as it is.
  KubeResponse response = client.Send("PATCH", path, object.dump(), "application/apply-patch+yaml");
  if (response.status == 409) {
    KubeApiError error = client.ErrorFor("PATCH", path, response);
    if (error.reason() == "Conflict") {
      throw KubeApiError(options.conflict_code, ConflictMessage(object, error.status(), options.conflict_hint), 409,
                         error.status());
    }
    throw error;
  }
  if (response.status < 200 || response.status > 299) {
    KubeApiError error = client.ErrorFor("PATCH", path, response);
    throw KubeApiError(error.code(), Describe(object) + ": " + error.what(), response.status, error.status());
  }
  nlohmann::json result = nlohmann::json::parse(response.body, nullptr, false);
  if (!result.is_object()) throw Error(Describe(object) + ": the apply answer is not a JSON object");
  return result;
}

}  // namespace berth::k8s
