#include "core/registry/registry_router.h"

#include "berth/util/log.h"
#include "core/plugins/plugin_manager.h"

namespace berth::host {

RegistryRouter::RegistryRouter(PluginManager& plugins) : plugins_(plugins) {}
RegistryRouter::~RegistryRouter() {
  // Clients may call into plugin registries: they go first.
  clients_.clear();
  routes_.clear();
}

oci::RegistryConfig& RegistryRouter::config() {
  if (!config_) config_ = oci::RegistryConfig::LoadDefault();
  return *config_;
}

RegistryRouter::Route& RegistryRouter::RouteFor(const std::string& host_text) {
  std::string host = oci::NormalizeRegistryHost(host_text);
  if (auto it = routes_.find(host); it != routes_.end()) return it->second;
  oci::RegistrySettings settings = config().For(host);
  Route route;
  const Provision* chosen = nullptr;
  DiscoveredPlugin* provider = nullptr;
  for (auto& plugin : plugins_.Plugins()) {
    if (!plugin.manifest || !plugin.state.ok()) continue;
    for (const auto& provision : plugin.manifest->provides) {
      if (provision.kind != ProvidedKind::kRegistry) continue;
      bool claimed = !settings.plugin.empty() ? provision.name == settings.plugin : false;
      if (settings.plugin.empty()) {
        for (const auto& pattern : provision.hosts) claimed = claimed || oci::HostMatches(pattern, host);
      }
      if (claimed && chosen == nullptr) {
        chosen = &provision;
        provider = &plugin;
      }
    }
  }
  if (chosen == nullptr && !settings.plugin.empty() && settings.plugin != "generic") {
    throw Error(ErrorCode::kPlugin, "registries.yaml names registry plugin '" + settings.plugin + "' for " + host +
                                        ", but no installed plugin provides it (see berth plugin list)");
  }
  if (chosen != nullptr) {
    route.registry = plugins_.OpenRegistry(*provider, chosen->name, settings.plugin_settings);
    route.plugin = provider->name;
    log::Debug("registry {} is served by plugin {}", host, provider->name);
  } else {
    route.registry = std::make_unique<Registry>();
  }
  return routes_.emplace(host, std::move(route)).first->second;
}

Registry& RegistryRouter::RegistryFor(const std::string& host, std::string* plugin_name) {
  std::lock_guard<std::mutex> lock(mutex_);
  Route& route = RouteFor(host);
  if (plugin_name != nullptr) *plugin_name = route.plugin;
  return *route.registry;
}

oci::Credential RegistryRouter::LookupCredential(Registry& registry, const std::string& host, const std::vector<std::string>& scopes) {
  auto from_plugin = registry.GetCredential(host, scopes).value();
  if (from_plugin) return std::move(*from_plugin);
  return store_.Lookup(host);
}

oci::Credential RegistryRouter::CredentialFor(const std::string& host, const std::vector<std::string>& scopes) {
  return LookupCredential(RegistryFor(host), oci::NormalizeRegistryHost(host), scopes);
}

std::string RegistryRouter::HostOf(const std::string& reference) {
  // A bare host ("127.0.0.1:5000", "ghcr.io") or a full reference.
  if (reference.find('/') == std::string::npos && (reference.find('.') != std::string::npos ||
                                                   reference.find(':') != std::string::npos || reference == "localhost")) {
    return oci::NormalizeRegistryHost(reference);
  }
  oci::Reference parsed = oci::Reference::Parse(reference);
  Validate(parsed);
  return parsed.registry;
}

oci::ClientFactory RegistryRouter::Clients() {
  return [this](const oci::Reference& reference) {
    Validate(reference);
    return Client(reference.registry);
  };
}

void RegistryRouter::Validate(const oci::Reference& reference) {
  RegistryFor(reference.registry).ValidateReference(reference).ThrowIfError();
}

std::shared_ptr<oci::RegistryClient> RegistryRouter::Client(const std::string& host_text) {
  std::string host = oci::NormalizeRegistryHost(host_text);
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = clients_.find(host); it != clients_.end()) return it->second;
  Route& route = RouteFor(host);
  Registry* registry = route.registry.get();
  oci::ClientOptions options;
  options.registry = host;
  options.settings = config().For(host);
  oci::RegistryConfig* config_ptr = &config();
  options.other_hosts_tls = [config_ptr](const std::string& other) { return config_ptr->For(other).tls; };
  options.credentials = [this, registry](const std::string& registry_host, const std::vector<std::string>& scopes) {
    return LookupCredential(*registry, registry_host, scopes);
  };
  // Chunked pushes record where they stand, so that running them again resumes.
  options.upload_state = std::make_shared<const oci::UploadStateStore>(oci::UploadStateStore::DefaultDir());
  auto client = std::make_shared<oci::RegistryClient>(std::move(options));
  clients_[host] = client;
  return client;
}

}  // namespace berth::host
