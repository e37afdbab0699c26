#include "core/plugins/plugin_index.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "berth/error.h"
#include "berth/manifest.h"
#include "berth/oci/reference.h"
#include "berth/util/digest.h"
#include "core/plugins/plugin_version.h"

namespace berth::host {
namespace {

std::string Text(const nlohmann::json& object, const char* field, const std::string& where, bool required) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    if (required) throw Error(ErrorCode::kInvalidInput, where + ": '" + field + "' is missing");
    return "";
  }
  if (!it->is_string() || (required && it->get<std::string>().empty())) {
    throw Error(ErrorCode::kInvalidInput, where + ": '" + field + "' must be a non-empty string");
  }
  return it->get<std::string>();
}

IndexedVersion ParseVersion(const nlohmann::json& item, const std::string& where) {
  if (!item.is_object()) throw Error(ErrorCode::kInvalidInput, where + ": not an object");
  IndexedVersion version{Text(item, "version", where, true), Text(item, "artifact", where, true), {}};
  oci::Reference reference;
  try {
    reference = oci::Reference::Parse(version.artifact);
  } catch (const Error& e) {
    throw Error(ErrorCode::kInvalidInput, where + ": 'artifact' is not a registry reference (" + e.what() + ")");
  }
  // A tag can be moved under a signed index; a digest cannot.
  if (!reference.digest) throw Error(ErrorCode::kInvalidInput, where + ": 'artifact' " + version.artifact + " has no @sha256: digest");
  if (item.contains("abi_majors")) {
    const nlohmann::json& abis = item["abi_majors"];
    if (!abis.is_array()) throw Error(ErrorCode::kInvalidInput, where + ": 'abi_majors' must be a list of numbers");
    for (const auto& abi : abis) {
      if (!abi.is_number_unsigned()) throw Error(ErrorCode::kInvalidInput, where + ": 'abi_majors' must be a list of numbers");
      version.abi_majors.push_back(abi.get<int>());
    }
  }
  return version;
}

}  // namespace

const IndexedPlugin* PluginIndexDocument::Find(const std::string& name) const {
  for (const IndexedPlugin& plugin : plugins) {
    if (plugin.name == name) return &plugin;
  }
  return nullptr;
}

IndexedPlugin& PluginIndexDocument::FindOrAdd(const std::string& name) {
  for (IndexedPlugin& plugin : plugins) {
    if (plugin.name == name) return plugin;
  }
  plugins.push_back({name, "", {}});
  return plugins.back();
}

PluginIndexDocument ParsePluginIndex(const std::string& bytes, const std::string& where) {
  nlohmann::json json = nlohmann::json::parse(bytes, nullptr, false);
  if (json.is_discarded() || !json.is_object()) throw Error(ErrorCode::kInvalidInput, where + ": not JSON (a berth plugin index)");
  if (json.value("schema", "") != kPluginIndexSchema) {
    throw Error(ErrorCode::kInvalidInput, where + ": 'schema' is not " + std::string(kPluginIndexSchema));
  }
  PluginIndexDocument index;
  if (json.contains("serial")) {
    if (!json["serial"].is_number_unsigned()) throw Error(ErrorCode::kInvalidInput, where + ": 'serial' must be a whole number");
    index.serial = json["serial"].get<int64_t>();
  }
  if (!json.contains("plugins") || !json["plugins"].is_array()) throw Error(ErrorCode::kInvalidInput, where + ": 'plugins' must be a list");
  std::set<std::string> names;
  for (size_t i = 0; i < json["plugins"].size(); ++i) {
    const nlohmann::json& item = json["plugins"][i];
    std::string at = where + ": plugins[" + std::to_string(i) + "]";
    if (!item.is_object()) throw Error(ErrorCode::kInvalidInput, at + ": not an object");
    IndexedPlugin plugin{Text(item, "name", at, true), Text(item, "description", at, false), {}};
    if (!IsValidPluginName(plugin.name)) throw Error(ErrorCode::kInvalidInput, at + ": '" + plugin.name + "' is not a plugin name");
    if (!names.insert(plugin.name).second) throw Error(ErrorCode::kInvalidInput, at + ": '" + plugin.name + "' is listed twice");
    if (!item.contains("versions") || !item["versions"].is_array()) throw Error(ErrorCode::kInvalidInput, at + ": 'versions' must be a list");
    std::set<std::string> versions;
    for (size_t j = 0; j < item["versions"].size(); ++j) {
      IndexedVersion version = ParseVersion(item["versions"][j], at + ".versions[" + std::to_string(j) + "]");
      if (!versions.insert(version.version).second) {
        throw Error(ErrorCode::kInvalidInput, at + ": version " + version.version + " is listed twice");
      }
      plugin.versions.push_back(std::move(version));
    }
    index.plugins.push_back(std::move(plugin));
  }
  return index;
}

std::string SerializePluginIndex(PluginIndexDocument index) {
  std::sort(index.plugins.begin(), index.plugins.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  nlohmann::json plugins = nlohmann::json::array();
  for (IndexedPlugin& plugin : index.plugins) {
    std::sort(plugin.versions.begin(), plugin.versions.end(),
              [](const auto& a, const auto& b) { return CompareVersions(a.version, b.version) > 0; });
    nlohmann::json versions = nlohmann::json::array();
    for (const IndexedVersion& version : plugin.versions) {
      nlohmann::json item = {{"version", version.version}, {"artifact", version.artifact}};
      if (!version.abi_majors.empty()) item["abi_majors"] = version.abi_majors;
      versions.push_back(item);
    }
    plugins.push_back({{"name", plugin.name}, {"description", plugin.description}, {"versions", versions}});
  }
  nlohmann::json json = {{"schema", kPluginIndexSchema}, {"serial", index.serial}, {"plugins", plugins}};
  return json.dump(2) + "\n";
}

const IndexedVersion* NewestVersion(const IndexedPlugin& plugin, int abi_major) {
  const IndexedVersion* newest = nullptr;
  for (const IndexedVersion& version : plugin.versions) {
    if (IsPrerelease(version.version)) continue;
    if (!version.abi_majors.empty() &&
        std::find(version.abi_majors.begin(), version.abi_majors.end(), abi_major) == version.abi_majors.end()) {
      continue;
    }
    if (newest == nullptr || CompareVersions(version.version, newest->version) > 0) newest = &version;
  }
  return newest;
}

const IndexedVersion* FindVersion(const IndexedPlugin& plugin, const std::string& version) {
  for (const IndexedVersion& candidate : plugin.versions) {
    if (candidate.version == version) return &candidate;
  }
  return nullptr;
}

std::string PluginIndexStatement(const std::string& bytes) {
  return "berth-plugin-index-signature/v1\nsha256: " + Sha256Hex(bytes) + "\n";
}

}  // namespace berth::host
