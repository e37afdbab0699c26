#include "object_diff.h"

#include <set>

namespace berth::k8s {
namespace {

std::string Key(const std::string& prefix, const std::string& key) {
  bool plain = !key.empty() && key.find_first_of("./[]\" ") == std::string::npos;
  if (plain) return prefix.empty() ? key : prefix + "." + key;
  return prefix + "[\"" + key + "\"]";
}

bool NamedList(const nlohmann::json& list) {
  std::set<std::string> names;
  for (const auto& item : list) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) return false;
    if (!names.insert(item["name"].get<std::string>()).second) return false;
  }
  return true;
}

void Diff(const nlohmann::json& before, const nlohmann::json& after, const std::string& path, std::vector<FieldChange>& out) {
  if (before == after) return;
  if (before.is_null()) {
    out.push_back({FieldChange::Kind::kAdded, path, nullptr, after});
    return;
  }
  if (after.is_null()) {
    out.push_back({FieldChange::Kind::kRemoved, path, before, nullptr});
    return;
  }
  if (before.is_object() && after.is_object()) {
    std::set<std::string> keys;
    for (const auto& [key, value] : before.items()) keys.insert(key);
    for (const auto& [key, value] : after.items()) keys.insert(key);
    for (const auto& key : keys) {
      Diff(before.contains(key) ? before[key] : nlohmann::json(), after.contains(key) ? after[key] : nlohmann::json(),
           Key(path, key), out);
    }
    return;
  }
  if (before.is_array() && after.is_array()) {
    if (NamedList(before) && NamedList(after) && !(before.empty() && after.empty())) {
      std::vector<std::string> order;
      std::set<std::string> seen;
      for (const auto* list : {&before, &after}) {
        for (const auto& item : *list) {
          std::string name = item["name"].get<std::string>();
          if (seen.insert(name).second) order.push_back(name);
        }
      }
      auto find = [](const nlohmann::json& list, const std::string& name) {
        for (const auto& item : list) {
          if (item["name"] == name) return item;
        }
        return nlohmann::json();
      };
      for (const auto& name : order) Diff(find(before, name), find(after, name), path + "[name=" + name + "]", out);
      return;
    }
    size_t count = std::max(before.size(), after.size());
    for (size_t i = 0; i < count; ++i) {
      Diff(i < before.size() ? before[i] : nlohmann::json(), i < after.size() ? after[i] : nlohmann::json(),
           path + "[" + std::to_string(i) + "]", out);
    }
    return;
  }
  out.push_back({FieldChange::Kind::kChanged, path, before, after});
}

std::string Show(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 160) text = text.substr(0, 157) + "...";
  return text;
}

}  // namespace

nlohmann::json Comparable(const nlohmann::json& object) {
  nlohmann::json copy = object;
  copy.erase("status");
  if (copy.contains("metadata") && copy["metadata"].is_object()) {
    for (const char* key : {"managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink"}) {
      copy["metadata"].erase(key);
    }
  }
  return copy;
}

std::vector<FieldChange> DiffObjects(const nlohmann::json& before, const nlohmann::json& after) {
  std::vector<FieldChange> out;
  Diff(before, after, "", out);
  return out;
}

std::string FormatChanges(const std::vector<FieldChange>& changes, const std::string& indent) {
  std::string text;
  for (const auto& change : changes) {
    switch (change.kind) {
      case FieldChange::Kind::kAdded: text += indent + "+ " + change.path + ": " + Show(change.after) + "\n"; break;
      case FieldChange::Kind::kRemoved: text += indent + "- " + change.path + ": " + Show(change.before) + "\n"; break;
      case FieldChange::Kind::kChanged:
        text += indent + "~ " + change.path + ": " + Show(change.before) + " -> " + Show(change.after) + "\n";
        break;
    }
  }
  return text;
}

}  // namespace berth::k8s
