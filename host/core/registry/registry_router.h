// Routes a registry host to the plugin whose registry claims it (manifest
// provides[].hosts, e.g. "ghcr.io", "*-docker.pkg.dev"), or to the generic
// OCI registry, and builds one shared client per host with the user's
// settings (registries.yaml plus this run's flags) and credentials.
#ifndef BERTH_HOST_CORE_REGISTRY_REGISTRY_ROUTER_H_
#define BERTH_HOST_CORE_REGISTRY_REGISTRY_ROUTER_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "berth/oci/client.h"
#include "berth/oci/credentials.h"
#include "berth/oci/image.h"
#include "berth/oci/reference.h"
#include "berth/oci/settings.h"
#include "berth/registry.h"

namespace berth::host {

class PluginManager;

class RegistryRouter {
 public:
  explicit RegistryRouter(PluginManager& plugins);
  ~RegistryRouter();

  // Loaded on first use; flags add to it before any client exists.
  oci::RegistryConfig& config();
  // The plugin serving `host` ("" for the generic registry) and its Registry.
  Registry& RegistryFor(const std::string& host, std::string* plugin_name = nullptr);
  std::shared_ptr<oci::RegistryClient> Client(const std::string& host);
  // Checks the reference against its registry's naming rules.
  void Validate(const oci::Reference& reference);
  // Validate, then Client: what the copy engine opens registries with.
  oci::ClientFactory Clients();
  // The credential for `host`: from the registry plugin serving it, else the
  // user's docker config and credential helpers.
  oci::Credential CredentialFor(const std::string& host, const std::vector<std::string>& scopes);
  // The registry host a reference or bare host names ("ghcr.io/o/a:1", "127.0.0.1:5000").
  std::string HostOf(const std::string& reference);

 private:
  struct Route {
    std::string plugin;
    std::unique_ptr<Registry> registry;
  };
  Route& RouteFor(const std::string& host);
  oci::Credential LookupCredential(Registry& registry, const std::string& host, const std::vector<std::string>& scopes);

  PluginManager& plugins_;
  std::optional<oci::RegistryConfig> config_;
  oci::CredentialStore store_;
  std::mutex mutex_;
  std::map<std::string, Route> routes_;
  std::map<std::string, std::shared_ptr<oci::RegistryClient>> clients_;
  std::map<std::string, oci::Credential> stored_credentials_;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_REGISTRY_REGISTRY_ROUTER_H_
