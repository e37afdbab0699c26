// The host's side of declared settings: checks and normalizes settings
// against the JSON Schema subset SettingsSchema produces (berth/settings.h).
// Compiled into the host and into the plugin test harness, so a plugin's
// tests see the settings exactly as berth would hand them over.
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "berth/error.h"
#include "berth/settings.h"
#include "berth/util/text.h"

namespace berth {
namespace {

// Recursion is bounded by the schema's depth, which the plugin chose; values
// deeper than their schema are refused at the first level without one.
class Checker {
 public:
  explicit Checker(const SettingsOrigin& origin) : origin_(origin) {}

  nlohmann::json Check(const nlohmann::json& schema, const nlohmann::json& value, const std::string& pointer,
                       const std::string& field) const {
    const std::string format = schema.value("x-berth-format", "");
    if (format == "duration") return CheckDuration(schema, value, pointer, field);
    nlohmann::json result = CheckType(schema, value, pointer, field);
    if (schema.contains("enum") && result.is_string()) CheckChoice(schema["enum"], result, pointer, field);
    if (result.is_number()) CheckRange(schema, result, pointer, field);
    if (format == "path" && result.is_string()) result = AbsolutePath(result.get<std::string>());
    if (schema.value("x-berth-secret", false) && result.is_string() && origin_.on_secret) {
      origin_.on_secret(result.get<std::string>());
    }
    if (auto mark = schema.find("x-berth-credential-hosts"); mark != schema.end() && origin_.credential_host_refusal) {
      // Refused, not skipped, when it is no text: the host cannot tell where
      // such a value would send the platform's credentials.
      if (!result.is_string()) throw Fail(pointer, field, "must be a URL");
      if (auto refusal = origin_.credential_host_refusal(*mark, result.get<std::string>())) throw Fail(pointer, field, *refusal);
    }
    return result;
  }

 private:
  Error Fail(const std::string& pointer, const std::string& field, const std::string& message) const {
    std::string where = origin_.locate ? origin_.locate(pointer) : "";
    std::string name = origin_.field.empty() ? field : field.empty() ? origin_.field : origin_.field + "." + field;
    std::string text = where.empty() ? "settings of " + origin_.owner + ": " : where + ": ";
    if (!name.empty()) text += name + ": ";
    text += message;
    if (!where.empty()) text += " (" + origin_.owner + ")";
    return Error(ErrorCode::kInvalidInput, text);
  }

  std::optional<std::string> ScalarText(const nlohmann::json& value, const std::string& pointer) const {
    if (origin_.scalar_text) {
      if (auto text = origin_.scalar_text(pointer)) return text;
    }
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (value.is_number()) return value.dump();
    return std::nullopt;
  }

  static std::set<std::string> Types(const nlohmann::json& schema) {
    std::set<std::string> types;
    if (!schema.contains("type")) return types;
    if (schema["type"].is_string()) types.insert(schema["type"].get<std::string>());
    if (schema["type"].is_array()) {
      for (const auto& type : schema["type"]) types.insert(type.get<std::string>());
    }
    return types;
  }

  nlohmann::json CheckType(const nlohmann::json& schema, const nlohmann::json& value, const std::string& pointer,
                           const std::string& field) const {
    const std::set<std::string> types = Types(schema);
    if (types.empty()) return value;
    if (types.count("object")) {
      if (value.is_object()) return CheckObject(schema, value, pointer, field);
      throw Fail(pointer, field, "must be a mapping");
    }
    if (types.count("array")) {
      if (!value.is_array()) throw Fail(pointer, field, "must be a list");
      nlohmann::json items = schema.value("items", nlohmann::json::object());
      nlohmann::json out = nlohmann::json::array();
      for (size_t i = 0; i < value.size(); ++i) {
        out.push_back(Check(items, value[i], pointer + "/" + std::to_string(i), field + "[" + std::to_string(i) + "]"));
      }
      return out;
    }
    if (types.count("boolean")) {
      if (value.is_boolean()) return value;
      auto text = ScalarText(value, pointer);
      if (text == "true" || text == "True" || text == "TRUE") return true;
      if (text == "false" || text == "False" || text == "FALSE") return false;
      throw Fail(pointer, field, "must be true or false");
    }
    if (types.count("integer")) {
      if (value.is_number_integer()) return value;
      auto text = ScalarText(value, pointer);
      long long number = 0;
      if (value.is_string() && text) {
        auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), number);
        if (error == std::errc() && end == text->data() + text->size()) return number;
      }
      throw Fail(pointer, field, "must be a whole number");
    }
    if (types.count("number")) {
      if (value.is_number()) return value;
      auto text = ScalarText(value, pointer);
      if (value.is_string() && text && !text->empty()) {
        char* end = nullptr;
        double number = std::strtod(text->c_str(), &end);
        if (end == text->c_str() + text->size()) return number;
      }
      throw Fail(pointer, field, "must be a number");
    }
    if (types.count("string")) {
      if (value.is_object() || value.is_array() || value.is_null()) throw Fail(pointer, field, "must be text");
      return *ScalarText(value, pointer);
    }
    return value;
  }

  nlohmann::json CheckObject(const nlohmann::json& schema, const nlohmann::json& value, const std::string& pointer,
                             const std::string& field) const {
    const nlohmann::json properties = schema.value("properties", nlohmann::json::object());
    const nlohmann::json extra = schema.value("additionalProperties", nlohmann::json(true));
    std::set<std::string> known;
    for (const auto& [name, property] : properties.items()) known.insert(name);
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) {
      const std::string child_pointer = pointer + "/" + JsonPointerToken(key);
      const std::string child_field = field.empty() ? key : field + "." + key;
      if (properties.contains(key)) {
        if (!item.is_null()) out[key] = Check(properties[key], item, child_pointer, child_field);
      } else if (extra.is_object()) {
        out[key] = Check(extra, item, child_pointer, child_field);
      } else if (extra == false) {
        std::string hint = DidYouMean(key, known);
        throw Fail(child_pointer, child_field, "unknown setting" + (hint.empty() ? KnownList(known) : hint));
      } else {
        out[key] = item;
      }
    }
    for (const auto& name : schema.value("required", nlohmann::json::array())) {
      if (!out.contains(name.get<std::string>())) {
        throw Fail(pointer, field, "missing required setting '" + name.get<std::string>() + "'");
      }
    }
    for (const auto& [name, property] : properties.items()) {
      if (!out.contains(name) && property.contains("default") && !property["default"].is_null()) {
        out[name] = property["default"];
      }
    }
    return out;
  }

  static std::string KnownList(const std::set<std::string>& known) {
    if (known.empty()) return " (it takes no settings)";
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
    return " (known: " + list + ")";
  }

  void CheckChoice(const nlohmann::json& choices, const nlohmann::json& value, const std::string& pointer,
                   const std::string& field) const {
    std::set<std::string> names;
    for (const auto& choice : choices) {
      if (choice == value) return;
      if (choice.is_string()) names.insert(choice.get<std::string>());
    }
    std::string list;
    for (const auto& choice : choices) list += (list.empty() ? "" : ", ") + (choice.is_string() ? choice.get<std::string>() : choice.dump());
    // Spelling mistakes are often only of case (tcp for TCP): compare folded.
    auto fold = [](std::string text) {
      for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return text;
    };
    std::set<std::string> folded;
    for (const auto& name : names) folded.insert(fold(name));
    std::string hint;
    if (auto nearest = Nearest(fold(value.get<std::string>()), folded)) {
      for (const auto& name : names) {
        if (fold(name) == *nearest) hint = " (did you mean '" + name + "'?)";
      }
    }
    throw Fail(pointer, field, "'" + value.get<std::string>() + "' is not one of " + list + hint);
  }

  void CheckRange(const nlohmann::json& schema, const nlohmann::json& value, const std::string& pointer,
                  const std::string& field) const {
    double number = value.get<double>();
    if (schema.contains("minimum") && number < schema["minimum"].get<double>()) {
      throw Fail(pointer, field, "must be at least " + schema["minimum"].dump());
    }
    if (schema.contains("maximum") && number > schema["maximum"].get<double>()) {
      throw Fail(pointer, field, "must be at most " + schema["maximum"].dump());
    }
  }

  nlohmann::json CheckDuration(const nlohmann::json& schema, const nlohmann::json& value, const std::string& pointer,
                               const std::string& field) const {
    std::optional<long long> seconds;
    if (value.is_number_integer() && value.get<long long>() >= 0) seconds = value.get<long long>();
    if (value.is_string()) seconds = ParseDurationSeconds(value.get<std::string>());
    if (!seconds) throw Fail(pointer, field, "must be a duration like 90s, 5m or 1h");
    nlohmann::json result = *seconds;
    CheckRange(schema, result, pointer, field);
    return result;
  }

  std::string AbsolutePath(const std::string& text) const {
    namespace fs = std::filesystem;
    if (text.empty()) return text;
    if (text == "~" || text.rfind("~/", 0) == 0) {
      const char* home = std::getenv("HOME");
      return (fs::path(home ? home : "") / text.substr(text.size() > 1 ? 2 : 1)).lexically_normal().string();
    }
    if (fs::path(text).is_absolute()) return text;
    fs::path base = origin_.base_dir.empty() ? fs::current_path() : fs::path(origin_.base_dir);
    return (base / text).lexically_normal().string();
  }

  const SettingsOrigin& origin_;
};

}  // namespace

std::optional<long long> ParseDurationSeconds(const std::string& text) {
  if (text.empty() || text.size() > 8) return std::nullopt;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 7) return std::nullopt;
  long long value = std::stoll(text.substr(0, digits));
  std::string unit = text.substr(digits);
  if (unit.empty() || unit == "s") return value;
  if (unit == "m") return value * 60;
  if (unit == "h") return value * 3600;
  return std::nullopt;
}

nlohmann::json CheckSettings(const nlohmann::json& schema, const nlohmann::json& settings, const SettingsOrigin& origin) {
  if (schema.is_null()) return settings;
  const nlohmann::json& value = settings.is_null() ? nlohmann::json::object() : settings;
  return Checker(origin).Check(schema, value, "", "");
}

}  // namespace berth
