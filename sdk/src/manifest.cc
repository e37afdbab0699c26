#include "berth/manifest.h"

#include "berth/util/fs.h"

namespace berth {
namespace {

Error ManifestError(const std::filesystem::path& file, const std::string& problem) {
  return Error(ErrorCode::kPlugin, "plugin manifest " + file.string() + ": " + problem);
}

std::string RequireString(const nlohmann::json& json, const char* field, const std::filesystem::path& file) {
  if (!json.contains(field) || !json[field].is_string() || json[field].get<std::string>().empty()) {
    throw ManifestError(file, std::string("field '") + field + "' is missing or not a non-empty string");
  }
  return json[field].get<std::string>();
}

PluginManifest FromJsonChecked(const nlohmann::json& json, const std::filesystem::path& file);

}  // namespace

bool IsValidPluginName(std::string_view name) {
  if (name.empty() || name.size() > 64 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

PluginManifest PluginManifest::Load(const std::filesystem::path& file) {
  std::string text;
  try {
    text = ReadFile(file);
  } catch (const Error& e) {
    throw Error(ErrorCode::kPlugin, e.what());
  }
  return Parse(text, file);
}

PluginManifest PluginManifest::Parse(std::string_view bytes, const std::filesystem::path& file) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(bytes);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> keep the useful part.
    size_t at = what.find("parse error");
    throw ManifestError(file, "not valid JSON (" + (at == std::string::npos ? what : what.substr(at)) + ")");
  }
  return FromJson(json, file);
}

PluginManifest PluginManifest::FromJson(const nlohmann::json& json, const std::filesystem::path& file) {
  // A field of the wrong type (say "description": []) must refuse this
  // plugin, not escape discovery as a JSON exception (found by fuzz_plugin_manifest).
  try {
    return FromJsonChecked(json, file);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    size_t at = what.find("] ");
    throw ManifestError(file, "a field has the wrong type (" + (at == std::string::npos ? what : what.substr(at + 2)) + ")");
  }
}

namespace {

PluginManifest FromJsonChecked(const nlohmann::json& json, const std::filesystem::path& file) {
  if (!json.is_object()) throw ManifestError(file, "not a JSON object");
  int schema = json.contains("schema") && json["schema"].is_number_integer() ? json["schema"].get<int>() : 0;
  if (schema == 1) {
    throw ManifestError(file, "the plugin was built for berth's plugin ABI 1 (C++ objects across the boundary), which this "
                              "berth no longer loads; rebuild it against the installed berth SDK (ABI " +
                                  std::to_string(BERTH_ABI_MAJOR) + ")");
  }
  if (schema != kManifestSchema) {
    throw ManifestError(file, "unsupported schema (expected \"schema\": " + std::to_string(kManifestSchema) + ")");
  }
  PluginManifest manifest;
  manifest.name = RequireString(json, "name", file);
  if (!IsValidPluginName(manifest.name)) {
    throw ManifestError(file, "invalid plugin name '" + manifest.name + "' (use lowercase letters, digits and '-')");
  }
  manifest.version = RequireString(json, "version", file);
  manifest.description = json.value("description", "");
  for (const char* field : {"abi_major", "abi_minor"}) {
    if (!json.contains(field) || !json[field].is_number_integer() || json[field].get<int64_t>() < 0 ||
        json[field].get<int64_t>() > int64_t(UINT32_MAX)) {
      throw ManifestError(file, std::string("field '") + field + "' is missing or not a number");
    }
  }
  manifest.abi_major = json["abi_major"].get<uint32_t>();
  manifest.abi_minor = json["abi_minor"].get<uint32_t>();
  manifest.built_with = json.value("built_with", "");
  manifest.library = RequireString(json, "library", file);
  if (manifest.library.find('/') != std::string::npos) {
    throw ManifestError(file, "field 'library' must be a file name beside the manifest");
  }
  manifest.sha256 = RequireString(json, "sha256", file);
  for (const auto& item : json.value("provides", nlohmann::json::array())) {
    auto kind = ParseProvidedKind(item.value("kind", ""));
    if (!kind) throw ManifestError(file, "unknown kind '" + item.value("kind", "") + "' in 'provides'");
    Provision provision{*kind, item.value("name", ""), item.value("summary", ""), {}, item.value("settings", nlohmann::json())};
    if (!provision.settings.is_null() && !provision.settings.is_object()) {
      throw ManifestError(file, "the settings schema of " + std::string(ProvidedKindName(*kind)) + " '" + provision.name + "' is not an object");
    }
    for (const auto& host : item.value("hosts", nlohmann::json::array())) provision.hosts.push_back(host.get<std::string>());
    manifest.provides.push_back(std::move(provision));
  }
  for (const auto& item : json.value("commands", nlohmann::json::array())) {
    manifest.commands.push_back({item.value("path", ""), item.value("summary", "")});
  }
  return manifest;
}

}  // namespace

nlohmann::json PluginManifest::ToJson() const {
  nlohmann::json provides_json = nlohmann::json::array();
  for (const auto& provision : provides) {
    nlohmann::json item = {{"kind", ProvidedKindName(provision.kind)}, {"name", provision.name}, {"summary", provision.summary}};
    if (!provision.hosts.empty()) item["hosts"] = provision.hosts;
    if (!provision.settings.is_null()) item["settings"] = provision.settings;
    provides_json.push_back(std::move(item));
  }
  nlohmann::json commands_json = nlohmann::json::array();
  for (const auto& command : commands) commands_json.push_back({{"path", command.path}, {"summary", command.summary}});
  return {{"schema", kManifestSchema}, {"name", name},          {"version", version},   {"description", description},
          {"abi_major", abi_major},     {"abi_minor", abi_minor}, {"built_with", built_with},
          {"library", library},         {"sha256", sha256},
          {"provides", provides_json},  {"commands", commands_json}};
}

}  // namespace berth
