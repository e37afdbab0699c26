#include "core/plugins/plugin_lock.h"

#include <nlohmann/json.hpp>

#include <regex>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr int kSchema = 1;

std::string Field(const nlohmann::json& entry, const char* name, const std::string& where) {
  auto it = entry.find(name);
  if (it == entry.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw Error(ErrorCode::kInvalidInput, where + ": '" + name + "' is missing");
  }
  return it->get<std::string>();
}

}  // namespace

fs::path PluginLockFile(const fs::path& project_dir) { return project_dir / ".berth" / "plugins.lock"; }

std::optional<std::vector<LockedPlugin>> ReadPluginLock(const fs::path& file) {
  if (!fs::exists(file)) return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(ReadFile(file), nullptr, false);
  if (!json.is_object() || json.value("schema", 0) != kSchema || !json.contains("plugins") || !json["plugins"].is_array()) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": not a berth plugin lock (schema " + std::to_string(kSchema) +
                                              "); write it again with berth plugin lock");
  }
  static const std::regex kDigest("sha256:[0-9a-f]{64}");
  std::vector<LockedPlugin> plugins;
  for (size_t i = 0; i < json["plugins"].size(); ++i) {
    const nlohmann::json& entry = json["plugins"][i];
    std::string where = file.string() + ": plugins[" + std::to_string(i) + "]";
    if (!entry.is_object()) throw Error(ErrorCode::kInvalidInput, where + ": not an object");
    LockedPlugin plugin{Field(entry, "name", where), Field(entry, "source", where), Field(entry, "digest", where),
                        entry.value("version", ""),   Field(entry, "signer", where), entry.value("signer_name", "")};
    if (!std::regex_match(plugin.digest, kDigest)) throw Error(ErrorCode::kInvalidInput, where + ": 'digest' is not sha256:<64 hex>");
    plugins.push_back(std::move(plugin));
  }
  return plugins;
}

void WritePluginLock(const fs::path& file, const std::vector<LockedPlugin>& plugins) {
  nlohmann::json list = nlohmann::json::array();
  for (const LockedPlugin& plugin : plugins) {
    list.push_back({{"name", plugin.name},
                    {"source", plugin.source},
                    {"digest", plugin.digest},
                    {"version", plugin.version},
                    {"signer", plugin.signer},
                    {"signer_name", plugin.signer_name}});
  }
  CreateDirectories(file.parent_path());
  WriteFileAtomic(file, nlohmann::json{{"schema", kSchema}, {"plugins", list}}.dump(2) + "\n", 0644);
}

}  // namespace berth::host
