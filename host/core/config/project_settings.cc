#include "core/config/project_settings.h"

#include "berth/util/redact.h"
#include "core/config/host_paths.h"

namespace berth::host {
namespace {

// The declared schema of `name`, or null when no installed plugin provides
// it or it declared none.
nlohmann::json SchemaOf(const ProvidedSchemas& schemas, ProvidedKind kind, const std::string& name) {
  std::optional<nlohmann::json> schema = schemas.schema(kind, name);
  return schema ? *schema : nlohmann::json(nullptr);
}

SettingsOrigin CheckedOrigin(const ProjectConfig& project, const SettingsSource& source, ProvidedKind kind,
                             const std::string& name, CredentialHostCheck& hosts) {
  SettingsOrigin origin = OriginIn(project, source, ProviderPhrase(kind, name));
  origin.credential_host_refusal = [&hosts](const nlohmann::json& mark, const std::string& value) {
    return hosts.Refusal(mark, value);
  };
  return origin;
}

void Normalize(const ProjectConfig& project, const ProvidedSchemas& schemas, CredentialHostCheck& hosts, ProvidedKind kind,
               const std::string& name, const SettingsSource& source, nlohmann::json& settings) {
  nlohmann::json schema = SchemaOf(schemas, kind, name);
  if (schema.is_null()) return;
  settings = CheckSettings(schema, settings, CheckedOrigin(project, source, kind, name, hosts));
}

// Only the properties that hold a CredentialHosts() mark somewhere inside,
// in an object open to any other key: build settings may be another
// builder's, and their types are checked when a builder is chosen.
nlohmann::json MarkedOnly(const nlohmann::json& schema) {
  const nlohmann::json declared = schema.value("properties", nlohmann::json::object());
  nlohmann::json properties = nlohmann::json::object();
  for (const auto& [key, property] : declared.items()) {
    if (property.dump().find("\"x-berth-credential-hosts\"") != std::string::npos) properties[key] = property;
  }
  return {{"type", "object"}, {"properties", properties}};
}

// build: the keys beside berth's own, and build.settings: {...}, go to the
// builder named, or under `auto` to whichever installed one is chosen.
void CheckBuildCredentialHosts(const ProjectConfig& project, const ProvidedSchemas& schemas, CredentialHostCheck& hosts) {
  const nlohmann::json& settings = project.build.settings;
  if (!settings.is_object() || settings.empty()) return;
  std::vector<std::string> builders;
  if (project.build.builder.empty() || project.build.builder == "auto") {
    builders = schemas.names(ProvidedKind::kBuilder);
  } else {
    builders.push_back(project.build.builder);
  }
  for (const auto& name : builders) {
    nlohmann::json schema = SchemaOf(schemas, ProvidedKind::kBuilder, name);
    if (!schema.is_object()) continue;
    nlohmann::json marked = MarkedOnly(schema);
    if (marked["properties"].empty()) continue;
    marked["properties"]["settings"] = MarkedOnly(schema);
    CheckSettings(marked, settings, CheckedOrigin(project, project.build.source, ProvidedKind::kBuilder, name, hosts));
  }
}

}  // namespace

SettingsOrigin OriginIn(const ProjectConfig& project, const SettingsSource& source, std::string owner) {
  SettingsOrigin origin;
  origin.owner = std::move(owner);
  origin.field = source.field;
  origin.base_dir = project.dir.string();
  const std::string file = project.file.filename().string();
  // A value that was not written (a missing required key) points at its
  // nearest written parent.
  origin.locate = [file, &source](const std::string& pointer) -> std::string {
    std::string at = pointer;
    while (true) {
      auto it = source.places.find(at);
      if (it != source.places.end()) {
        return file + ":" + std::to_string(it->second.line) + ":" + std::to_string(it->second.column);
      }
      if (at.empty()) return file;
      at = at.substr(0, at.rfind('/'));
    }
  };
  origin.scalar_text = [&source](const std::string& pointer) -> std::optional<std::string> {
    auto it = source.places.find(pointer);
    return it == source.places.end() ? std::nullopt : it->second.scalar;
  };
  origin.on_secret = [](const std::string& value) { RegisterSecret(value); };
  return origin;
}

ProvidedSchemas InstalledSchemas(PluginManager& plugins) {
  ProvidedSchemas schemas;
  schemas.schema = [&plugins](ProvidedKind kind, const std::string& name) -> std::optional<nlohmann::json> {
    DiscoveredPlugin* provider = plugins.FindProvider(kind, name);
    if (provider == nullptr) return std::nullopt;
    for (const auto& provision : provider->manifest->provides) {
      if (provision.kind == kind && provision.name == name) return provision.settings;
    }
    return std::nullopt;
  };
  schemas.names = [&plugins](ProvidedKind kind) {
    std::vector<std::string> names;
    for (const auto& plugin : plugins.Plugins()) {
      if (!plugin.manifest) continue;
      for (const auto& provision : plugin.manifest->provides) {
        if (provision.kind == kind) names.push_back(provision.name);
      }
    }
    return names;
  };
  return schemas;
}

void CheckProjectSettings(ProjectConfig& project, const ProvidedSchemas& schemas, CredentialHostCheck& hosts) {
  for (auto& [name, environment] : project.environments) {
    Normalize(project, schemas, hosts, ProvidedKind::kTarget, environment.target, environment.target_source,
              environment.target_settings);
    if (environment.secrets) {
      Normalize(project, schemas, hosts, ProvidedKind::kSecretStore, environment.secrets->store, environment.secrets->source,
                environment.secrets->settings);
    }
  }
  if (project.signing) {
    Normalize(project, schemas, hosts, ProvidedKind::kSigner, project.signing->signer, project.signing->source,
              project.signing->settings);
  }
  for (auto& registry : project.registries) {
    if (registry.plugin.empty() || registry.plugin == "generic") continue;
    Normalize(project, schemas, hosts, ProvidedKind::kRegistry, registry.plugin, registry.source, registry.settings);
  }
  CheckBuildCredentialHosts(project, schemas, hosts);
}

void CheckProjectSettings(ProjectConfig& project, PluginManager& plugins) {
  CredentialHostCheck hosts(UserConfigFile());
  CheckProjectSettings(project, InstalledSchemas(plugins), hosts);
}

}  // namespace berth::host
