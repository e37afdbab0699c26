#include "core/config/berth_yaml_schema.h"

#include <map>

namespace berth::host {
namespace {

using Json = nlohmann::json;

Json Text(const char* description) { return {{"type", "string"}, {"description", description}}; }

Json Closed(Json properties, Json required = Json::array()) {
  Json schema = {{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

// The declared settings of each installed provider of `kind`, by name.
std::map<std::string, Json> Declared(PluginManager& plugins, ProvidedKind kind) {
  std::map<std::string, Json> schemas;
  for (const auto& plugin : plugins.Plugins()) {
    if (!plugin.manifest) continue;
    for (const auto& provision : plugin.manifest->provides) {
      if (provision.kind != kind || schemas.count(provision.name)) continue;
      schemas[provision.name] = provision.settings.is_null() ? Json{{"type", "object"}} : provision.settings;
    }
  }
  return schemas;
}

// One "if the chooser field names X then the block is X's" rule per provider.
// `inline_settings`: X's settings sit beside the chooser (a target block)
// rather than under `settings_field`.
Json ChosenBy(const std::string& chooser, const std::map<std::string, Json>& declared, bool inline_settings,
              const std::string& settings_field = "settings") {
  Json rules = Json::array();
  for (const auto& [name, settings] : declared) {
    Json then;
    if (inline_settings) {
      then = settings;
      then["type"] = "object";
      then["properties"] = settings.value("properties", Json::object());
      then["properties"][chooser] = {{"const", name}};
    } else {
      then = {{"properties", {{settings_field, settings}}}};
    }
    rules.push_back({{"if", {{"properties", {{chooser, {{"const", name}}}}}, {"required", {chooser}}}}, {"then", then}});
  }
  return rules;
}

Json Names(const std::map<std::string, Json>& declared) {
  Json names = Json::array();
  for (const auto& [name, settings] : declared) names.push_back(name);
  return names;
}

Json Environment(PluginManager& plugins) {
  auto targets = Declared(plugins, ProvidedKind::kTarget);
  auto stores = Declared(plugins, ProvidedKind::kSecretStore);
  Json target = {{"type", "object"},
                 {"description", "Where the environment deploys: `plugin` names a target, the other keys are its settings"},
                 {"properties", {{"plugin", Text("The target kind (berth plugin list)")}}},
                 {"required", {"plugin"}}};
  if (!targets.empty()) {
    target["properties"]["plugin"]["enum"] = Names(targets);
    target["allOf"] = ChosenBy("plugin", targets, true);
  }
  Json path = {{"type", "string"}};
  Json secrets = Closed({{"store", Text("A secret-store kind (berth plugin list)")},
                         {"from", {{"oneOf", {path, {{"type", "array"}, {"items", path}, {"minItems", 1}}}},
                                   {"description", "Env files or .asap-configs in the project (one path or a list) whose "
                                                   "values are put into the store; an .asap-config gives ASAP_ISSUER, "
                                                   "ASAP_KEY_ID, ASAP_PRIVATE_KEY and ASAP_AUDIENCE"}}},
                         {"keys", {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", "Only these keys of them"}}},
                         {"settings", {{"type", "object"}, {"description", "The secret store's settings"}}}},
                        {"store"});
  if (!stores.empty()) {
    secrets["properties"]["store"]["enum"] = Names(stores);
    secrets["allOf"] = ChosenBy("store", stores, false);
  }
  Json duration = {{"type", {"integer", "string"}}, {"pattern", "^[0-9]{1,7}(s|m|h)?$"}};
  Json health = Closed({{"url", Text("The URL to poll after a deploy (http:// or https://)")},
                        {"path", Text("A path on the target's own URL to poll")},
                        {"timeout", duration},
                        {"interval", duration}});
  return Closed({{"target", target},
                 {"secrets", secrets},
                 {"health", health},
                 {"immutable_tags", {{"type", "boolean"}, {"description", "Kept for older files: release tags are always immutable"}}},
                 {"registry", {{"type", "string"},
                               {"description", "REGISTRY/PATH this environment pulls from: berth promote copies releases there"}}}},
                {"target"});
}

Json Signing(PluginManager& plugins) {
  auto signers = Declared(plugins, ProvidedKind::kSigner);
  Json signing = Closed({{"signer", Text("A signer kind (berth plugin list); cosign when not given")},
                         {"key", Text("The private key file")},
                         {"public_key", Text("The public key file")},
                         {"required", {{"type", "boolean"}, {"description", "Refuse to deploy a digest that does not verify"}}},
                         {"settings", {{"type", "object"}, {"description", "The signer's settings"}}}});
  if (!signers.empty()) signing["allOf"] = ChosenBy("signer", signers, false);
  return signing;
}

Json Registries(PluginManager& plugins) {
  auto registries = Declared(plugins, ProvidedKind::kRegistry);
  Json item = Closed({{"name", Text("A name for the registry; its host when not given")},
                      {"repository", Text("host/path of the image in this registry, without tag")},
                      {"plugin", Text("The registry plugin; the one claiming the host when not given")},
                      {"settings", {{"type", "object"}, {"description", "The registry plugin's settings"}}}},
                     {"repository"});
  if (!registries.empty()) item["allOf"] = ChosenBy("plugin", registries, false);
  return {{"type", "array"}, {"items", item}};
}

}  // namespace

Json BerthYamlSchema(PluginManager& plugins) {
  Json tag_template = {{"type", "string"},
                       {"description", "A tag template: text with {version}, {git.sha}, {git.short}, {date}"}};
  Json tag = {{"oneOf", {tag_template, Closed({{"template", tag_template},
                                                {"mutable", {{"type", "boolean"}, {"description", "A channel tag that moves with every release"}}}},
                                               {"template"})}}};
  Json build = {{"type", "object"},
                {"description", "How `berth build` makes the image; keys beyond these are the builder's settings"},
                {"properties",
                 {{"context", Text("The build context folder, in the project")},
                  {"dockerfile", Text("The Dockerfile, in the project")},
                  {"platforms", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                  {"builder", Text("auto, or an installed builder (berth plugin list)")}}}};
  Json builders = Json::array({"auto"});
  for (const auto& [name, settings] : Declared(plugins, ProvidedKind::kBuilder)) builders.push_back(name);
  build["properties"]["builder"]["enum"] = builders;
  Json schema = Closed(
      {{"service", {{"type", "string"}, {"pattern", "^[a-z][a-z0-9-]{0,62}$"}, {"description", "The service's name"}}},
       {"image", Text("The image repository (host/path), without tag or digest")},
       {"build", build},
       {"tags", {{"type", "array"}, {"items", tag}}},
       {"git", Closed({{"short_length", {{"type", "integer"}, {"minimum", 4}, {"maximum", 40}}}})},
       {"registries", Registries(plugins)},
       {"signing", Signing(plugins)},
       {"environments",
        {{"type", "object"},
         {"propertyNames", {{"pattern", "^[a-z][a-z0-9-]{0,62}$"}}},
         {"additionalProperties", Environment(plugins)}}},
       {"ledger", Closed({{"path", Text("The JSON ledger (releases.json)")}, {"markdown", Text("The Markdown ledger (RELEASES.md)")}})},
       {"plugins",
        {{"type", "array"},
         {"description", "Plugins the project needs: `berth plugin lock` pins them, `berth plugin sync` installs them"},
         {"items", Closed({{"name", Text("The plugin's name")}, {"source", Text("A published plugin: oci://HOST/REPO:TAG")}}, Json::array({"name", "source"}))}}}},
      {"service", "image"});
  schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  schema["title"] = "berth.yaml";
  return schema;
}

}  // namespace berth::host
