// The plugin author's side of declared settings: builds the JSON Schema the
// host checks (berth/settings.h).
#include "berth/settings.h"

namespace berth {
namespace {

nlohmann::json Typed(const char* type, std::string description) {
  return {{"type", type}, {"description", std::move(description)}};
}

}  // namespace

Setting Setting::Text(std::string description) { return Setting(Typed("string", std::move(description))); }
Setting Setting::WholeNumber(std::string description) { return Setting(Typed("integer", std::move(description))); }
Setting Setting::Number(std::string description) { return Setting(Typed("number", std::move(description))); }
Setting Setting::Boolean(std::string description) { return Setting(Typed("boolean", std::move(description))); }

// Editors see "integer or text like 90s"; the host reads x-berth-format.
Setting Setting::Duration(std::string description) {
  return Setting({{"type", {"integer", "string"}},
                  {"pattern", "^[0-9]{1,7}(s|m|h)?$"},
                  {"minimum", 0},
                  {"x-berth-format", "duration"},
                  {"description", std::move(description)}});
}

Setting Setting::Path(std::string description) {
  nlohmann::json schema = Typed("string", std::move(description));
  schema["x-berth-format"] = "path";
  return Setting(std::move(schema));
}

Setting Setting::Choice(std::vector<std::string> values, std::string description) {
  nlohmann::json schema = Typed("string", std::move(description));
  schema["enum"] = std::move(values);
  return Setting(std::move(schema));
}

Setting Setting::TextList(std::string description) { return ListOf(Text(""), std::move(description)); }

Setting Setting::TextMap(std::string description) {
  nlohmann::json schema = Typed("object", std::move(description));
  schema["additionalProperties"] = {{"type", "string"}};
  return Setting(std::move(schema));
}

Setting Setting::ListOf(const Setting& item, std::string description) {
  nlohmann::json schema = Typed("array", std::move(description));
  schema["items"] = item.schema_;
  if (schema["items"].value("description", "").empty()) schema["items"].erase("description");
  return Setting(std::move(schema));
}

Setting Setting::Group(const SettingsSchema& fields, std::string description) {
  nlohmann::json schema = fields.declared() ? fields.ToJson() : nlohmann::json{{"type", "object"}};
  schema["description"] = std::move(description);
  return Setting(std::move(schema));
}

Setting Setting::Value(std::string description) { return Setting(nlohmann::json{{"description", std::move(description)}}); }

Setting& Setting::Required() {
  schema_["x-berth-required"] = true;
  return *this;
}
Setting& Setting::Default(nlohmann::json value) {
  schema_["default"] = std::move(value);
  return *this;
}
Setting& Setting::AtLeast(long long minimum) {
  schema_["minimum"] = minimum;
  return *this;
}
Setting& Setting::AtMost(long long maximum) {
  schema_["maximum"] = maximum;
  return *this;
}
Setting& Setting::Secret() {
  schema_["x-berth-secret"] = true;
  return *this;
}
Setting& Setting::Endpoint() {
  schema_["x-berth-trust"] = "endpoint";
  return *this;
}
Setting& Setting::CredentialFile() {
  schema_["x-berth-trust"] = "credential-file";
  return *this;
}
Setting& Setting::Program() {
  schema_["x-berth-trust"] = "program";
  return *this;
}
Setting& Setting::ExportsCredentials() {
  schema_["x-berth-trust"] = "credential-export";
  return *this;
}
// The host reads the mark (host/core/config/credential_hosts.h); the trust
// rules see an endpoint, so an in-house plugin needs one call for both.
Setting& Setting::CredentialHosts(std::string platform, std::vector<std::string> hosts) {
  schema_["x-berth-trust"] = "endpoint";
  schema_["x-berth-credential-hosts"] = {{"platform", std::move(platform)}, {"hosts", std::move(hosts)}};
  return *this;
}
Setting& Setting::CommandLineFlag(std::string flag) {
  schema_["x-berth-flag"] = std::move(flag);
  return *this;
}

// A field's Required() moves up into the object's "required" list, where
// JSON Schema wants it.
SettingsSchema::SettingsSchema(std::initializer_list<std::pair<std::string, Setting>> fields) {
  schema_ = {{"type", "object"}, {"properties", nlohmann::json::object()}, {"additionalProperties", false}};
  nlohmann::json required = nlohmann::json::array();
  for (const auto& [name, setting] : fields) {
    nlohmann::json property = setting.ToJson();
    if (property.value("x-berth-required", false)) required.push_back(name);
    property.erase("x-berth-required");
    schema_["properties"][name] = std::move(property);
  }
  if (!required.empty()) schema_["required"] = std::move(required);
}

}  // namespace berth
