#include "core/plugins/index_lookup.h"

#include <regex>

#include "berth/error.h"
#include "berth/manifest.h"

namespace berth::host {
namespace {

std::string VersionsOf(const IndexedPlugin& plugin) {
  std::string text;
  for (const IndexedVersion& version : plugin.versions) {
    text += (text.empty() ? "" : ", ") + version.version;
    if (!version.abi_majors.empty()) {
      text += " (ABI";
      for (int abi : version.abi_majors) text += " " + std::to_string(abi);
      text += ")";
    }
  }
  return text.empty() ? "no versions" : text;
}

}  // namespace

std::optional<IndexSpec> ParseIndexSpec(const std::string& text) {
  static const std::regex kSpec(R"((?:([a-z0-9][a-z0-9_-]*)/)?([a-z0-9][a-z0-9_-]*)(?:@([0-9A-Za-z][0-9A-Za-z.+_-]*))?)");
  std::smatch match;
  if (!std::regex_match(text, match, kSpec) || !IsValidPluginName(match[2].str())) return std::nullopt;
  return IndexSpec{match[1].str(), match[2].str(), match[3].str()};
}

IndexEntry ResolveIndexEntry(const IndexStore& store, const IndexSpec& spec, int abi_major) {
  const std::string wanted = spec.name + (spec.version.empty() ? "" : "@" + spec.version);
  if (store.indexes().empty()) {
    throw Error(ErrorCode::kNotFound, "'" + wanted + "' is not a file here, and no plugin index was added to look it up in "
                                      "(berth plugin index add NAME SOURCE)");
  }
  std::vector<const RegisteredIndex*> candidates;
  if (!spec.index.empty()) {
    const RegisteredIndex* index = store.Find(spec.index);
    if (index == nullptr) throw Error(ErrorCode::kNotFound, "no plugin index named '" + spec.index + "' (see berth plugin index list)");
    candidates.push_back(index);
  } else {
    for (const RegisteredIndex& index : store.indexes()) candidates.push_back(&index);
  }
  std::optional<IndexEntry> found;
  std::string searched;
  for (const RegisteredIndex* index : candidates) {
    searched += (searched.empty() ? "" : ", ") + index->name;
    PluginIndexDocument document = store.Document(*index);
    const IndexedPlugin* plugin = document.Find(spec.name);
    if (plugin == nullptr) continue;
    if (found) {
      throw Error(ErrorCode::kUsage, "plugin '" + spec.name + "' is in the indexes " + found->index.name + " and " + index->name +
                                         ": name one, as " + index->name + "/" + wanted);
    }
    found = IndexEntry{*index, *plugin, {}};
  }
  if (!found) {
    throw Error(ErrorCode::kNotFound, "no plugin '" + spec.name + "' in the plugin " + (candidates.size() == 1 ? "index " : "indexes ") +
                                          searched + " (berth plugin search; berth plugin index update to fetch them again)");
  }
  const IndexedVersion* version =
      spec.version.empty() ? NewestVersion(found->plugin, abi_major) : FindVersion(found->plugin, spec.version);
  if (version == nullptr) {
    throw Error(ErrorCode::kNotFound, found->index.name + " has " +
                                          (spec.version.empty() ? "no release of " + spec.name + " that this berth (ABI " +
                                                                      std::to_string(abi_major) + ") can load"
                                                                : "no " + spec.name + " " + spec.version) +
                                          "; it lists " + VersionsOf(found->plugin));
  }
  found->version = *version;
  return *found;
}

}  // namespace berth::host
