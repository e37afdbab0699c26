#include "core/plugins/index_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>

#include "berth/error.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "core/config/host_paths.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr int kStoreSchema = 1;

RegisteredIndex FromJson(const nlohmann::json& item, const std::string& where) {
  static const std::regex kDigest("sha256:[0-9a-f]{64}");
  if (!item.is_object()) throw Error(ErrorCode::kInvalidInput, where + ": not an object");
  auto text = [&](const char* name) { return item.contains(name) && item[name].is_string() ? item[name].get<std::string>() : ""; };
  RegisteredIndex index{text("name"), text("source"), text("pin"), text("signer"), text("signer_name"), text("digest"),
                        item.value("serial", int64_t(0)), text("updated_at")};
  if (index.name.empty() || index.source.empty() || !std::regex_match(index.digest, kDigest)) {
    throw Error(ErrorCode::kInvalidInput, where + ": needs a name, a source and a sha256 digest; remove the file and add the indexes again");
  }
  return index;
}

}  // namespace

fs::path IndexStoreFile() { return UserDataDir() / "plugin-indexes.json"; }

IndexStore IndexStore::Read(const fs::path& file) {
  IndexStore store;
  store.file_ = file;
  if (!fs::exists(file)) return store;
  nlohmann::json json = nlohmann::json::parse(ReadFile(file), nullptr, false);
  if (json.is_discarded() || !json.is_object() || json.value("schema", 0) != kStoreSchema || !json.contains("indexes") ||
      !json["indexes"].is_array()) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": not berth's list of plugin indexes");
  }
  for (size_t i = 0; i < json["indexes"].size(); ++i) {
    store.indexes_.push_back(FromJson(json["indexes"][i], file.string() + ": indexes[" + std::to_string(i) + "]"));
  }
  return store;
}

const RegisteredIndex* IndexStore::Find(const std::string& name) const {
  for (const RegisteredIndex& index : indexes_) {
    if (index.name == name) return &index;
  }
  return nullptr;
}

fs::path IndexStore::DocumentPath(const std::string& digest) const {
  return file_.parent_path() / "plugin-indexes" / (Digest::Parse(digest).hex() + ".json");
}

void IndexStore::Put(RegisteredIndex index, const std::string& document) {
  index.digest = "sha256:" + Sha256Hex(document);
  if (in_memory_) {
    unsaved_[index.digest] = document;
    auto it = std::find_if(indexes_.begin(), indexes_.end(), [&](const RegisteredIndex& other) { return other.name == index.name; });
    if (it != indexes_.end()) {
      *it = index;
    } else {
      indexes_.push_back(index);
    }
    return;
  }
  CreateDirectories(DocumentPath(index.digest).parent_path());
  WriteFileAtomic(DocumentPath(index.digest), document, 0644);
  std::string replaced;
  bool found = false;
  for (RegisteredIndex& existing : indexes_) {
    if (existing.name != index.name) continue;
    replaced = existing.digest;
    existing = index;
    found = true;
  }
  if (!found) indexes_.push_back(index);
  Save();
  // The old copy goes once nothing names it (two indexes may hold one document).
  if (!replaced.empty() && replaced != index.digest) {
    bool named = false;
    for (const RegisteredIndex& other : indexes_) named = named || other.digest == replaced;
    if (!named) fs::remove(DocumentPath(replaced));
  }
}

void IndexStore::Remove(const std::string& name) {
  auto it = std::find_if(indexes_.begin(), indexes_.end(), [&](const RegisteredIndex& index) { return index.name == name; });
  if (it == indexes_.end()) throw Error(ErrorCode::kNotFound, "no plugin index named '" + name + "' (see berth plugin index list)");
  std::string digest = it->digest;
  indexes_.erase(it);
  if (in_memory_) return;
  Save();
  bool named = false;
  for (const RegisteredIndex& other : indexes_) named = named || other.digest == digest;
  if (!named) fs::remove(DocumentPath(digest));
}

PluginIndexDocument IndexStore::Document(const RegisteredIndex& index) const {
  if (auto unsaved = unsaved_.find(index.digest); unsaved != unsaved_.end()) return ParsePluginIndex(unsaved->second, index.name);
  fs::path path = DocumentPath(index.digest);
  std::string bytes;
  try {
    bytes = ReadFile(path);
  } catch (const Error&) {
    throw Error(ErrorCode::kNotFound, path.string() + ": the stored copy of plugin index '" + index.name +
                                          "' is missing; run berth plugin index update " + index.name);
  }
  if ("sha256:" + Sha256Hex(bytes) != index.digest) {
    throw Error(ErrorCode::kVerification, path.string() + ": the stored copy of plugin index '" + index.name +
                                              "' changed since it was verified; run berth plugin index update " + index.name);
  }
  return ParsePluginIndex(bytes, path.string());
}

void IndexStore::Save() const {
  nlohmann::json list = nlohmann::json::array();
  for (const RegisteredIndex& index : indexes_) {
    list.push_back({{"name", index.name},
                    {"source", index.source},
                    {"pin", index.pin},
                    {"signer", index.signer},
                    {"signer_name", index.signer_name},
                    {"digest", index.digest},
                    {"serial", index.serial},
                    {"updated_at", index.updated_at}});
  }
  CreateDirectories(file_.parent_path());
  WriteFileAtomic(file_, nlohmann::json{{"schema", kStoreSchema}, {"indexes", list}}.dump(2) + "\n", 0644);
}

}  // namespace berth::host
