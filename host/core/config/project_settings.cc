#include "core/config/project_settings.h"

#include "berth/util/redact.h"

namespace berth::host {
namespace {

// The declared schema of `name`, or null when no installed plugin provides
// it or it declared none.
nlohmann::json SchemaOf(PluginManager& plugins, ProvidedKind kind, const std::string& name) {
  DiscoveredPlugin* provider = plugins.FindProvider(kind, name);
  if (provider == nullptr) return nullptr;
  for (const auto& provision : provider->manifest->provides) {
    if (provision.kind == kind && provision.name == name) return provision.settings;
  }
  return nullptr;
}

void Normalize(const ProjectConfig& project, PluginManager& plugins, ProvidedKind kind, const std::string& name,
               const SettingsSource& source, nlohmann::json& settings) {
  nlohmann::json schema = SchemaOf(plugins, kind, name);
  if (schema.is_null()) return;
  settings = CheckSettings(schema, settings, OriginIn(project, source, ProviderPhrase(kind, name)));
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

void CheckProjectSettings(ProjectConfig& project, PluginManager& plugins) {
  for (auto& [name, environment] : project.environments) {
    Normalize(project, plugins, ProvidedKind::kTarget, environment.target, environment.target_source,
              environment.target_settings);
    if (environment.secrets) {
      Normalize(project, plugins, ProvidedKind::kSecretStore, environment.secrets->store, environment.secrets->source,
                environment.secrets->settings);
    }
  }
  if (project.signing) {
    Normalize(project, plugins, ProvidedKind::kSigner, project.signing->signer, project.signing->source,
              project.signing->settings);
  }
  for (auto& registry : project.registries) {
    if (registry.plugin.empty() || registry.plugin == "generic") continue;
    Normalize(project, plugins, ProvidedKind::kRegistry, registry.plugin, registry.source, registry.settings);
  }
}

}  // namespace berth::host
