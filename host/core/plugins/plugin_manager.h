// Owns every plugin of the run: discovered from manifests up front, checked
// and loaded only when something of theirs is used, and kept loaded until
// the process ends. Also the host's side of berth::Services.
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_MANAGER_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_MANAGER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "berth/builder.h"
#include "berth/plugin_loader.h"
#include "berth/services.h"
#include "core/config/plugin_trust.h"
#include "core/plugins/host_api.h"
#include "core/plugins/install_record.h"
#include "core/plugins/library_file.h"
#include "core/plugins/library_hash_cache.h"
#include "core/plugins/own_plugins.h"
#include "core/plugins/plugin_discovery.h"
#include "core/registry/registry_router.h"

namespace berth::host {

class PluginManager : public Services {
 public:
  explicit PluginManager(std::vector<SearchDir> search_dirs,
                         std::filesystem::path hash_cache_file = LibraryHashCache::DefaultFile());
  ~PluginManager() override;

  const std::vector<SearchDir>& search_dirs() const { return search_dirs_; }
  // berth's own plugins (own_plugins.h), which need no signature; none
  // unless set.
  void SetOwnPlugins(std::span<const OwnPlugin> own) { own_plugins_ = own; }
  // Where Trust() reads from; TrustFilesOfThisBerth() unless set.
  void SetTrustFiles(TrustFiles files) { trust_files_ = std::move(files); }
  // The keys and the policy of this run, read on first use (plugin_trust.h).
  // Throws the error of PluginTrust::Load, again at each call.
  PluginTrust& Trust();
  // Discovers on first use; manifests only. Under a policy that requires
  // signatures, each plugin that is not berth's own is refused here unless
  // a trusted key signed it (its signature covers the manifest bytes read
  // here and the library sha256 they declare, which Check compares with
  // the library), so nothing of an unsigned plugin is ever opened.
  std::vector<DiscoveredPlugin>& Plugins();
  DiscoveredPlugin* Find(const std::string& name);
  // Checks the manifest against this host and the library (hash, ELF entry
  // point) without loading it; records the outcome in plugin.state. The
  // library's hash may come from the cache (library_hash_cache.h).
  const Status& Check(DiscoveredPlugin& plugin);
  // Check of every plugin; the libraries the cache cannot answer for are
  // hashed first, on as many threads as there are cores.
  void CheckAll();
  // Checks, loads and opens (runs its registration); the error names the file.
  // The library is hashed right before dlopen, whatever the cache says,
  // through the descriptor dlopen then maps (library_file.h).
  Result<LoadedPlugin*> Load(const std::string& name);
  // Called by Load between the checks and dlopen: tests swap files there.
  void SetAfterCheckForTesting(std::function<void(const DiscoveredPlugin&)> hook) { after_check_for_testing_ = std::move(hook); }
  // What `berth plugin install` recorded for the plugin, if anything (nothing
  // when the record cannot be read either).
  std::optional<InstalledPlugin> InstalledAs(const DiscoveredPlugin& plugin);

  // An object of `kind` named `name` from the plugin whose manifest provides
  // it, loading only that plugin, and that plugin's name. The caller owns
  // the object.
  std::pair<berth_object, std::string> CreateObject(ProvidedKind kind, const std::string& name, const nlohmann::json& settings);
  // The registry `name` of a plugin that provides it.
  std::unique_ptr<Registry> OpenRegistry(DiscoveredPlugin& plugin, const std::string& name, const nlohmann::json& settings);
  // The table of host services every plugin gets; its output and input are
  // the running command's.
  HostApi& host_api() { return host_api_; }

  // The plugin whose manifest provides `kind` named `name`, if any.
  DiscoveredPlugin* FindProvider(ProvidedKind kind, const std::string& name);

  Result<std::unique_ptr<SecretStore>> OpenSecretStore(const std::string& kind,
                                                       const nlohmann::json& settings) noexcept override;
  Result<std::unique_ptr<Target>> OpenTarget(const std::string& kind, const nlohmann::json& settings) noexcept override;
  Result<std::unique_ptr<CredentialProvider>> OpenCredentialProvider(const std::string& name,
                                                                     const nlohmann::json& settings) noexcept override;
  Result<IssuedToken> MintToken(const std::string& name, const nlohmann::json& settings,
                                const TokenRequest& request) noexcept override;
  Result<std::unique_ptr<Signer>> OpenSigner(const std::string& kind, const nlohmann::json& settings) noexcept override;
  std::unique_ptr<Builder> OpenBuilder(const std::string& name, const nlohmann::json& settings);
  // Every builder the installed plugins provide, from manifests.
  std::vector<std::string> BuilderNames();
  // The signer to use when none is named: the one installed signer. Throws
  // Error naming the choice when there are several, or none.
  std::string DefaultSigner();
  RegistryRouter& registries();

 private:
  // The loaded plugin that provides `kind` named `name`; throws naming what is missing.
  LoadedPlugin& LoadProvider(ProvidedKind kind, const std::string& name);
  static berth_object Create(LoadedPlugin& plugin, ProvidedKind kind, const std::string& name, const nlohmann::json& settings);
  // Every check of Check, in its order, reading the library once through
  // one descriptor, its hash from the cache (kCached) or the file (kFresh).
  // That open library goes to `opened` when every check passed.
  Status CheckFiles(const DiscoveredPlugin& plugin, LibraryHashCache::Mode mode, std::optional<LibraryFile>* opened = nullptr);
  // The install record, read on first use; an error when it is unreadable.
  const Result<InstallRecord>& Installs();
  // Refuses, in plugins_, what the signing policy does not allow.
  void ApplySigningPolicy();

  HostApi host_api_;
  std::vector<SearchDir> search_dirs_;
  std::span<const OwnPlugin> own_plugins_;
  std::optional<TrustFiles> trust_files_;
  std::optional<PluginTrust> trust_;
  LibraryHashCache hashes_;
  std::optional<Result<InstallRecord>> installs_;
  bool discovered_ = false;
  std::vector<DiscoveredPlugin> plugins_;
  std::map<std::string, std::unique_ptr<LoadedPlugin>> loaded_;
  std::unique_ptr<RegistryRouter> registries_;
  std::function<void(const DiscoveredPlugin&)> after_check_for_testing_;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_MANAGER_H_
