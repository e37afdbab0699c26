#include "core/config/project_trust.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <tuple>

#include "berth/error.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/text.h"
#include "core/config/host_paths.h"
#include "core/config/provider_phrase.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr char kStoreName[] = "trusted-projects.json";
constexpr int kStoreVersion = 1;

std::string WhereIn(const ProjectConfig& project, const SettingsSource::Place* place) {
  std::string where = project.file.filename().string();
  if (place != nullptr) where += ":" + std::to_string(place->line) + ":" + std::to_string(place->column);
  return where;
}

// A file or program the setting names, when it lies inside the project: a
// later commit may change what it holds without touching berth.yaml. A bare
// program name is looked up on PATH, and `~/` is the user's own home.
fs::path ProjectFileNamed(const fs::path& project_dir, const std::string& kind, const nlohmann::json& value) {
  if ((kind != "credential-file" && kind != "program") || !value.is_string()) return {};
  const std::string text = value.get<std::string>();
  if (text.empty() || text[0] == '~') return {};
  if (kind == "program" && text.find('/') == std::string::npos) return {};
  std::error_code error;
  fs::path root = fs::weakly_canonical(project_dir, error);
  if (error) return {};
  fs::path resolved = fs::weakly_canonical(fs::path(text).is_absolute() ? fs::path(text) : project_dir / text, error);
  if (error) return {};
  fs::path relative = resolved.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") return {};
  return resolved;
}

class Finder {
 public:
  Finder(const ProjectConfig& project, const ProvidedSchemas& schemas) : project_(project), schemas_(schemas) {}

  // A plugin's settings block: the marked settings it writes, or all of
  // them when the plugin declares no schema.
  void Block(ProvidedKind kind, const std::string& name, const SettingsSource& source, const nlohmann::json& settings) {
    if (!settings.is_object() || settings.empty()) return;
    std::optional<nlohmann::json> schema = schemas_.schema(kind, name);
    if (!schema) return;
    const std::string owner = ProviderPhrase(kind, name);
    if (schema->is_null()) {
      for (const auto& [key, value] : settings.items()) {
        Add(source, "/" + JsonPointerToken(key), source.field + "." + key, "undeclared", owner, value);
      }
      return;
    }
    Walk(*schema, settings, source, "", source.field, owner);
  }

  // build: the keys beside berth's own go to the builder (build.settings:
  // {...} is the same); under `auto`, to every installed builder. A key that
  // no builder with a schema declares can only be for one without.
  void Build() {
    const SettingsSource& source = project_.build.source;
    nlohmann::json settings = project_.build.settings;
    if (!settings.is_object() || settings.empty()) return;
    struct Entry {
      std::string key;      // As the builder gets it.
      std::string pointer;  // Where it was written, below build.
      std::string field;
    };
    std::vector<Entry> entries;
    nlohmann::json flat = nlohmann::json::object();
    for (const auto& [key, value] : settings.items()) {
      if (key == "settings" && value.is_object()) {
        for (const auto& [inner, item] : value.items()) {
          flat[inner] = item;
          entries.push_back({inner, "/settings/" + JsonPointerToken(inner), "build.settings." + inner});
        }
      } else {
        flat[key] = value;
        entries.push_back({key, "/" + JsonPointerToken(key), "build." + key});
      }
    }
    std::vector<std::string> builders;
    if (project_.build.builder.empty() || project_.build.builder == "auto") {
      builders = schemas_.names(ProvidedKind::kBuilder);
    } else {
      builders.push_back(project_.build.builder);
    }
    std::set<std::string> declared_somewhere;
    std::string undeclared_builder;
    for (const auto& name : builders) {
      std::optional<nlohmann::json> schema = schemas_.schema(ProvidedKind::kBuilder, name);
      if (!schema) continue;
      if (schema->is_null()) {
        if (undeclared_builder.empty()) undeclared_builder = name;
        continue;
      }
      const nlohmann::json properties = schema->value("properties", nlohmann::json::object());
      for (const Entry& entry : entries) {
        if (!properties.contains(entry.key)) continue;
        declared_somewhere.insert(entry.key);
        Walk(properties[entry.key], flat[entry.key], source, entry.pointer, entry.field,
             ProviderPhrase(ProvidedKind::kBuilder, name));
      }
    }
    if (undeclared_builder.empty()) return;
    for (const Entry& entry : entries) {
      if (declared_somewhere.count(entry.key)) continue;
      Add(source, entry.pointer, entry.field, "undeclared", ProviderPhrase(ProvidedKind::kBuilder, undeclared_builder),
          flat[entry.key]);
    }
  }

  // berth's own fields that name an endpoint or a credential file.
  void Own(const std::string& field, const std::string& kind, const std::string& value) {
    auto it = project_.places.find(field);
    TrustNeed need;
    need.field = field;
    need.where = WhereIn(project_, it == project_.places.end() ? nullptr : &it->second);
    need.kind = kind;
    need.value = value;
    need.project_file = ProjectFileNamed(project_.dir, kind, need.value);
    Remember(it == project_.places.end() ? SettingsSource::Place{} : it->second, std::move(need));
  }

  std::vector<TrustNeed> Done() {
    std::stable_sort(found_.begin(), found_.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first.line, a.first.column) < std::tie(b.first.line, b.first.column);
    });
    std::vector<TrustNeed> needs;
    std::set<std::string> seen;
    for (auto& [place, need] : found_) {
      if (seen.insert(need.field).second) needs.push_back(std::move(need));
    }
    return needs;
  }

 private:
  // Follows the schema down the written value; a marked setting is taken
  // whole, whatever its shape.
  void Walk(const nlohmann::json& schema, const nlohmann::json& value, const SettingsSource& source, const std::string& pointer,
            const std::string& field, const std::string& owner) {
    if (!schema.is_object()) return;
    if (auto mark = schema.find("x-berth-trust"); mark != schema.end() && mark->is_string()) {
      Add(source, pointer, field, mark->get<std::string>(), owner, value);
      return;
    }
    if (value.is_object()) {
      const nlohmann::json* properties = schema.contains("properties") && schema["properties"].is_object() ? &schema["properties"] : nullptr;
      for (const auto& [key, item] : value.items()) {
        const nlohmann::json* sub = nullptr;
        if (properties != nullptr && properties->contains(key)) {
          sub = &(*properties)[key];
        } else if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
          sub = &schema["additionalProperties"];
        }
        if (sub != nullptr) Walk(*sub, item, source, pointer + "/" + JsonPointerToken(key), field + "." + key, owner);
      }
    } else if (value.is_array() && schema.contains("items")) {
      for (size_t i = 0; i < value.size(); ++i) {
        Walk(schema["items"], value[i], source, pointer + "/" + std::to_string(i), field + "[" + std::to_string(i) + "]", owner);
      }
    }
  }

  void Add(const SettingsSource& source, const std::string& pointer, const std::string& field, const std::string& kind,
           const std::string& owner, const nlohmann::json& value) {
    auto it = source.places.find(pointer);
    const SettingsSource::Place* place = it == source.places.end() ? nullptr : &it->second;
    TrustNeed need;
    need.field = field;
    need.where = WhereIn(project_, place);
    need.kind = kind;
    need.owner = owner;
    need.value = value;
    need.project_file = ProjectFileNamed(project_.dir, kind, value);
    Remember(place != nullptr ? *place : SettingsSource::Place{}, std::move(need));
  }

  void Remember(const SettingsSource::Place& place, TrustNeed need) { found_.push_back({place, std::move(need)}); }

  const ProjectConfig& project_;
  const ProvidedSchemas& schemas_;
  std::vector<std::pair<SettingsSource::Place, TrustNeed>> found_;
};

std::string StateText(TrustState state, const std::string& file_name) {
  std::string how = "(run 'berth trust' after reading " + file_name + ")";
  if (state == TrustState::kChanged) return "settings that need trust changed since this project was trusted " + how;
  return "this project is not trusted " + how;
}

}  // namespace

std::string TrustNeed::Why() const {
  if (kind == "endpoint") return "names an endpoint";
  if (kind == "credential-file") return "names a credential file";
  if (kind == "program") return "names a program";
  if (kind == "plugin") return "names a plugin to install";
  if (kind == "credential-export") return "hands your registry credentials to another service";
  if (kind == "undeclared") return "is a setting of " + owner + ", which does not declare which of its settings need trust";
  return "needs trust (" + kind + ")";
}

std::vector<TrustNeed> FindTrustNeeds(const ProjectConfig& project, const ProvidedSchemas& schemas) {
  Finder finder(project, schemas);
  for (const auto& [name, environment] : project.environments) {
    finder.Block(ProvidedKind::kTarget, environment.target, environment.target_source, environment.target_settings);
    if (environment.secrets) {
      finder.Block(ProvidedKind::kSecretStore, environment.secrets->store, environment.secrets->source, environment.secrets->settings);
    }
  }
  if (project.signing) {
    if (!project.signing->key.empty()) finder.Own("signing.key", "credential-file", project.signing->key);
    finder.Block(ProvidedKind::kSigner, project.signing->signer, project.signing->source, project.signing->settings);
  }
  for (const auto& plugin : project.plugins) finder.Own("plugins." + plugin.name, "plugin", plugin.source);
  for (const auto& registry : project.registries) {
    if (registry.plugin.empty() || registry.plugin == "generic") continue;
    finder.Block(ProvidedKind::kRegistry, registry.plugin, registry.source, registry.settings);
  }
  finder.Build();
  return finder.Done();
}

std::string TrustDigest(const std::vector<TrustNeed>& needs) {
  std::vector<const TrustNeed*> sorted;
  for (const auto& need : needs) sorted.push_back(&need);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->field < b->field; });
  nlohmann::json canonical = nlohmann::json::array();
  for (const TrustNeed* need : sorted) {
    nlohmann::json entry = {{"field", need->field}, {"kind", need->kind}, {"value", need->value}};
    if (!need->project_file.empty()) {
      std::error_code error;
      entry["file"] = fs::is_regular_file(need->project_file, error) ? Sha256Hex(ReadFile(need->project_file)) : "absent";
    }
    canonical.push_back(std::move(entry));
  }
  return Sha256Hex(canonical.dump());
}

std::vector<TrustNeed> NeedsUnder(const std::vector<TrustNeed>& needs, const std::vector<std::string>& fields) {
  std::vector<TrustNeed> under;
  for (const auto& need : needs) {
    for (const auto& field : fields) {
      if (need.field.rfind(field, 0) != 0) continue;
      if (need.field.size() == field.size() || need.field[field.size()] == '.' || need.field[field.size()] == '[') {
        under.push_back(need);
        break;
      }
    }
  }
  return under;
}

std::vector<std::string> RefusalLines(const std::vector<TrustNeed>& needs, TrustState state, const std::string& file_name) {
  std::vector<std::string> lines;
  for (const auto& need : needs) lines.push_back(need.where + ": " + need.field + " " + need.Why() + "; " + StateText(state, file_name));
  return lines;
}

bool TrustedByEnvironment() {
  const char* value = std::getenv("BERTH_TRUST_PROJECT");
  return value != nullptr && std::string(value) == "1";
}

std::string TrustKey(const fs::path& dir) {
  std::error_code error;
  fs::path resolved = fs::canonical(dir, error);
  return (error ? fs::absolute(dir).lexically_normal() : resolved).string();
}

TrustStore TrustStore::ForUser() { return TrustStore(UserConfigFile().parent_path() / kStoreName); }

std::vector<TrustRecord> TrustStore::List() const {
  struct stat info {};
  if (lstat(path_.c_str(), &info) != 0) return {};
  if (!S_ISREG(info.st_mode) || info.st_uid != geteuid() || (info.st_mode & 022) != 0) {
    throw Error(ErrorCode::kInvalidInput, path_.string() + ": not a regular file of yours that only you may write, so berth trusts "
                                          "none of the projects it lists (remove it, then berth trust again)");
  }
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(ReadFile(path_));
  } catch (const nlohmann::json::exception&) {
    throw Error(ErrorCode::kInvalidInput, path_.string() + ": not JSON (remove it, then berth trust again)");
  }
  std::vector<TrustRecord> records;
  if (!json.is_object() || !json.contains("projects") || !json["projects"].is_array()) {
    throw Error(ErrorCode::kInvalidInput, path_.string() + ": no \"projects\" list (remove it, then berth trust again)");
  }
  // A field of the wrong type is refused like a malformed file: skipping
  // it could make a later `berth trust` drop records silently.
  auto text = [&](const nlohmann::json& item, const char* key, const char* fallback, size_t index) {
    if (!item.contains(key)) return std::string(fallback);
    if (!item[key].is_string()) {
      throw Error(ErrorCode::kInvalidInput, path_.string() + ": projects[" + std::to_string(index) + "]." + key +
                                                " is not text (remove it, then berth trust again)");
    }
    return item[key].get<std::string>();
  };
  for (size_t index = 0; index < json["projects"].size(); ++index) {
    const nlohmann::json& item = json["projects"][index];
    if (!item.is_object()) continue;
    TrustRecord record;
    record.dir = text(item, "dir", "", index);
    record.file = text(item, "file", "berth.yaml", index);
    record.sha256 = text(item, "sha256", "", index);
    record.trusted_at = text(item, "trusted_at", "", index);
    if (item.contains("settings") && item["settings"].is_array()) {
      for (const auto& field : item["settings"]) {
        if (field.is_string()) record.settings.push_back(field.get<std::string>());
      }
    }
    if (!record.dir.empty() && !record.sha256.empty()) records.push_back(std::move(record));
  }
  return records;
}

std::optional<TrustRecord> TrustStore::Find(const std::string& dir, const std::string& file) const {
  for (auto& record : List()) {
    if (record.dir == dir && record.file == file) return record;
  }
  return std::nullopt;
}

void TrustStore::Add(const TrustRecord& record) {
  std::vector<TrustRecord> records = List();
  records.erase(std::remove_if(records.begin(), records.end(),
                               [&](const TrustRecord& r) { return r.dir == record.dir && r.file == record.file; }),
                records.end());
  records.push_back(record);
  Save(records);
}

size_t TrustStore::Revoke(const std::string& dir) {
  std::vector<TrustRecord> records = List();
  size_t before = records.size();
  records.erase(std::remove_if(records.begin(), records.end(), [&](const TrustRecord& r) { return r.dir == dir; }), records.end());
  size_t removed = before - records.size();
  if (removed > 0) Save(records);
  return removed;
}

void TrustStore::Save(const std::vector<TrustRecord>& records) const {
  nlohmann::json projects = nlohmann::json::array();
  for (const auto& record : records) {
    projects.push_back({{"dir", record.dir},
                        {"file", record.file},
                        {"sha256", record.sha256},
                        {"trusted_at", record.trusted_at},
                        {"settings", record.settings}});
  }
  // The folder holds the user's own settings: private when berth makes it.
  if (!fs::exists(path_.parent_path())) CreateDirectories(path_.parent_path(), 0700);
  WriteFileAtomic(path_, nlohmann::json{{"version", kStoreVersion}, {"projects", projects}}.dump(2) + "\n", 0600);
}

}  // namespace berth::host
