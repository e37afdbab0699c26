#include "k8s_secret_store.h"

#include <openssl/crypto.h>

#include <regex>

#include "apply.h"
#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/redact.h"
#include "berth/util/text.h"
#include "manifests.h"

namespace berth::k8s {
namespace {

struct Location {
  Cluster cluster;
  std::string name;
  std::string path;
  std::string Describe() const { return "Secret " + cluster.namespace_name + "/" + name; }
};

void CheckKey(const std::string& name) {
  static const std::regex kKey("[-._a-zA-Z0-9]{1,253}");
  if (!std::regex_match(name, kKey)) {
    throw Error(ErrorCode::kInvalidInput, "'" + name + "' cannot be a key of a Kubernetes Secret (letters, digits, '-', '_', '.')");
  }
}

// The Secret's values, decoded; empty when it does not exist.
std::map<std::string, SecretValue> Values(const std::optional<nlohmann::json>& secret, const std::string& where) {
  std::map<std::string, SecretValue> values;
  if (!secret || !secret->contains("data") || !(*secret)["data"].is_object()) return values;
  for (const auto& [key, encoded] : (*secret)["data"].items()) {
    auto decoded = encoded.is_string() ? Base64Decode(encoded.get<std::string>()) : std::nullopt;
    if (!decoded) throw Error(where + ": the value of " + key + " is not base64");
    values.emplace(key, SecretValue(std::move(*decoded)));
  }
  return values;
}

bool Same(const SecretValue& a, const SecretValue& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.Reveal().data(), b.Reveal().data(), a.size()) == 0;
}

}  // namespace

std::set<std::string> AppliedDataKeys(const nlohmann::json& secret, const std::string& manager) {
  std::set<std::string> keys;
  if (!secret.contains("metadata") || !secret["metadata"].contains("managedFields")) return keys;
  for (const auto& entry : secret["metadata"]["managedFields"]) {
    if (entry.value("manager", "") != manager || entry.value("operation", "") != "Apply") continue;
    if (!entry.contains("fieldsV1") || !entry["fieldsV1"].contains("f:data")) continue;
    for (const auto& [field, value] : entry["fieldsV1"]["f:data"].items()) {
      if (field.rfind("f:", 0) == 0) keys.insert(field.substr(2));
    }
  }
  return keys;
}

K8sSecretStore::K8sSecretStore(const nlohmann::json& settings) : settings_(SecretStoreSettings::Parse(settings)) {}

namespace {

Location Locate(const SecretStoreSettings& settings, const std::string& environment) {
  Location location;
  location.name = settings.SecretName(environment);
  location.cluster = OpenCluster(settings.connection);
  location.path = SecretPath(location.cluster.namespace_name, location.name);
  return location;
}

}  // namespace

Status K8sSecretStore::Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept {
  return Capture([&] {
    CheckKey(name);
    Location location = Locate(settings_, environment);
    KubeClient& client = *location.cluster.client;
    auto current = client.GetIfExists(location.path);
    auto values = Values(current, location.Describe());
    // An apply states everything its manager wants: the keys berth applied
    // before, plus this one. Keys other managers wrote stay theirs.
    nlohmann::json data = nlohmann::json::object();
    if (current) {
      for (const auto& key : AppliedDataKeys(*current, kFieldManager)) {
        if (auto it = values.find(key); it != values.end()) data[key] = Base64Encode(it->second.Reveal());
      }
    }
    std::string encoded = Base64Encode(value.Reveal());
    RegisterSecret(encoded);
    data[name] = encoded;
    nlohmann::json secret = {{"apiVersion", "v1"},
                             {"kind", "Secret"},
                             {"metadata",
                              {{"name", location.name},
                               {"namespace", location.cluster.namespace_name},
                               {"labels", {{kManagedByLabel, "berth"}}}}},
                             {"data", data}};
    ApplyOptions options;
    // `berth secrets set` is an order to set this value: take the key over
    // from whoever wrote it before.
    options.force = true;
    options.conflict_code = ErrorCode::kFailure;
    ServerSideApply(client, secret, options);
  });
}

Result<std::vector<std::string>> K8sSecretStore::List(const std::string& environment) noexcept {
  return CaptureResult([&] {
    Location location = Locate(settings_, environment);
    auto current = location.cluster.client->GetIfExists(location.path);
    std::vector<std::string> names;
    if (current && current->contains("data") && (*current)["data"].is_object()) {
      for (const auto& [key, value] : (*current)["data"].items()) names.push_back(key);
    }
    return names;
  });
}

Status K8sSecretStore::Delete(const std::string& environment, const std::string& name) noexcept {
  return Capture([&] {
    CheckKey(name);
    Location location = Locate(settings_, environment);
    KubeClient& client = *location.cluster.client;
    auto current = client.GetIfExists(location.path);
    if (!current || !current->contains("data") || !(*current)["data"].contains(name)) {
      throw Error(ErrorCode::kNotFound, "no secret '" + name + "' in " + location.Describe());
    }
    // A JSON patch removes the key whoever wrote it; the resourceVersion test
    // makes it fail rather than race with another writer.
    nlohmann::json patch = nlohmann::json::array(
        {{{"op", "test"}, {"path", "/metadata/resourceVersion"}, {"value", (*current)["metadata"].value("resourceVersion", "")}},
         {{"op", "remove"}, {"path", "/data/" + JsonPointerToken(name)}}});
    client.Call("PATCH", WithQuery(location.path, {{"fieldManager", kFieldManager}}), patch.dump(),
                "application/json-patch+json");
  });
}

Result<std::vector<SecretDiffEntry>> K8sSecretStore::Diff(const std::string& environment,
                                                          const std::map<std::string, SecretValue>& desired) noexcept {
  return CaptureResult([&] {
    Location location = Locate(settings_, environment);
    auto current = Values(location.cluster.client->GetIfExists(location.path), location.Describe());
    std::vector<SecretDiffEntry> diff;
    for (const auto& [name, value] : desired) {
      auto it = current.find(name);
      SecretChange change = it == current.end()         ? SecretChange::kAdded
                            : Same(it->second, value) ? SecretChange::kUnchanged
                                                      : SecretChange::kChanged;
      diff.push_back({name, change});
    }
    for (const auto& [name, value] : current) {
      if (!desired.count(name)) diff.push_back({name, SecretChange::kRemoved});
    }
    return diff;
  });
}

}  // namespace berth::k8s
