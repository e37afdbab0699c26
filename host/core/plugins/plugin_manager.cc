#include "core/plugins/plugin_manager.h"

#include <algorithm>
#include <thread>

#include "berth/abi/objects.h"
#include "berth/credential_provider.h"
#include "berth/oci/client.h"
#include "berth/secret_store.h"
#include "berth/signer.h"
#include "berth/target.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "core/config/provider_phrase.h"
#include "core/plugins/elf_check.h"
#include "core/plugins/install_record.h"
#include "core/plugins/library_file.h"
#include "core/plugins/plugin_signature.h"

namespace berth::host {

namespace {

// How to install a plugin again in place, for the refusals that need it.
std::string WayOut(const DiscoveredPlugin& plugin) {
  const std::filesystem::path dir = plugin.manifest_path.parent_path();
  std::string where;
  if (plugin.source == PluginSource::kProject) where = "--project ";
  if (plugin.source == PluginSource::kPluginPath) where = "--dir " + dir.parent_path().string() + " ";
  return "review it, then: berth plugin install " + where + dir.string() + " (add --allow-unsigned if it has no signature)";
}

}  // namespace

PluginManager::PluginManager(std::vector<SearchDir> search_dirs, std::filesystem::path hash_cache_file)
    : host_api_(*this), search_dirs_(std::move(search_dirs)), hashes_(std::move(hash_cache_file)) {}

PluginManager::~PluginManager() {
  // Objects plugins made go before the plugins are closed; the libraries
  // themselves stay mapped (RTLD_NODELETE) until the process exits.
  registries_.reset();  // Plugin registries it holds go before their plugins.
  loaded_.clear();
  hashes_.Save();
}

std::vector<DiscoveredPlugin>& PluginManager::Plugins() {
  if (!discovered_) {
    plugins_ = DiscoverPlugins(search_dirs_);
    discovered_ = true;
    ApplySigningPolicy();
  }
  return plugins_;
}

PluginTrust& PluginManager::Trust() {
  if (!trust_) trust_.emplace(PluginTrust::Load(trust_files_ ? *trust_files_ : TrustFilesOfThisBerth()));
  return *trust_;
}

void PluginManager::ApplySigningPolicy() {
  std::vector<DiscoveredPlugin*> others;
  for (auto& plugin : plugins_) {
    if (plugin.state.ok() && plugin.manifest && !IsOwnPlugin(plugin, own_plugins_)) others.push_back(&plugin);
  }
  // Only berth's own plugins (the usual case): no config file is read.
  if (others.empty()) return;
  auto refuse = [](DiscoveredPlugin& plugin, const std::string& why) {
    plugin.state = Status(ErrorCode::kPlugin, "plugin '" + plugin.name + "' at " + plugin.manifest_path.parent_path().string() + ": " + why);
  };
  const std::vector<TrustedKey>* keys = nullptr;
  std::string required_by;
  try {
    PluginTrust& trust = Trust();
    if (!trust.policy().require_signatures) return;
    required_by = trust.policy().required_by.string();
    keys = &trust.keys();
  } catch (const Error& e) {
    // A policy berth cannot read may require signatures: what it would
    // decide on is refused, naming the file; berth's own plugins still load.
    for (DiscoveredPlugin* plugin : others) refuse(*plugin, std::string("refused, since berth cannot read its plugin policy: ") + e.what());
    return;
  }
  for (DiscoveredPlugin* plugin : others) {
    std::string problem;
    try {
      std::string statement = PackageStatementForManifestSha256(*plugin->manifest, plugin->manifest_sha256);
      SignatureCheck check = CheckSignature(statement, plugin->manifest_path.parent_path() / kSignatureFileName, *keys);
      if (check.key != nullptr) continue;
      problem = check.problem;
    } catch (const Error& e) {
      problem = e.what();  // An unreadable signature file.
    }
    refuse(*plugin, problem + "; " + required_by +
                        " requires every plugin but berth's own to be signed by a trusted key (plugin-policy.require-signatures)");
  }
}

DiscoveredPlugin* PluginManager::Find(const std::string& name) {
  for (auto& plugin : Plugins()) {
    if (plugin.name == name) return &plugin;
  }
  return nullptr;
}

const Result<InstallRecord>& PluginManager::Installs() {
  if (!installs_) installs_ = CaptureResult([] { return InstallRecord::Read(); });
  return *installs_;
}

std::optional<InstalledPlugin> PluginManager::InstalledAs(const DiscoveredPlugin& plugin) {
  const Result<InstallRecord>& installs = Installs();
  if (!installs.ok()) return std::nullopt;
  return installs.value().Find(plugin.manifest_path.parent_path());
}

Status PluginManager::CheckFiles(const DiscoveredPlugin& plugin, LibraryHashCache::Mode mode, std::optional<LibraryFile>* opened) {
  const std::filesystem::path dir = plugin.manifest_path.parent_path();
  const std::filesystem::path library = plugin.library_path();
  // Bundled plugins ship with berth and are never in the install record.
  std::optional<InstalledPlugin> installed;
  if (plugin.source != PluginSource::kBundled) {
    if (!Installs().ok()) return Installs().status();
    installed = Installs().value().Find(dir);
  }
  // A plugin that came with a cloned repository is a stranger's native code:
  // it loads only once the user installed it on this machine.
  if (plugin.source == PluginSource::kProject && !installed) {
    return Status(ErrorCode::kPlugin, "plugin " + dir.string() + " came with this project and was not installed on this machine; " +
                                          WayOut(plugin));
  }
  // The library is opened once, on first need, and hashed and checked
  // through that descriptor, which Load then maps: the record and the
  // manifest are compared with the file that runs.
  std::optional<LibraryFile> file;
  std::optional<std::string> sha256;
  auto sha256_of = [&]() -> std::string {
    if (!sha256) {
      file.emplace(LibraryFile::Open(library));
      sha256 = hashes_.Sha256(library, file->fd(), mode);
    }
    return *sha256;
  };
  // What `berth plugin install` recorded comes first: a library swapped
  // together with its manifest still differs from the record.
  if (installed) {
    PluginFilesNow now{.manifest_sha256 = plugin.manifest_sha256, .library = plugin.manifest->library, .library_sha256 = sha256_of};
    if (Status status = Installs().value().Check(dir, now, WayOut(plugin)); !status.ok()) return status;
  }
  if (Status status = CheckManifest(*plugin.manifest, plugin.manifest_path, [&](const std::filesystem::path&) { return sha256_of(); });
      !status.ok()) {
    return status;
  }
  if (!file) return Status(ErrorCode::kPlugin, "plugin " + library.string() + ": cannot read the library");
  if (Status status = CheckPluginElf(file->fd(), library); !status.ok()) return status;
  if (opened != nullptr) *opened = std::move(file);
  return Status::Ok();
}

const Status& PluginManager::Check(DiscoveredPlugin& plugin) {
  if (plugin.checked || !plugin.state.ok() || !plugin.manifest) return plugin.state;
  plugin.checked = true;
  plugin.state = CheckFiles(plugin, LibraryHashCache::Mode::kCached);
  return plugin.state;
}

void PluginManager::CheckAll() {
  std::vector<std::filesystem::path> libraries;
  for (auto& plugin : Plugins()) {
    // Only libraries Check would hash: not those refused before it reads
    // them (another ABI, a project's plugin not installed here).
    if (plugin.checked || !plugin.state.ok() || !plugin.manifest || plugin.manifest->abi_major != BERTH_ABI_MAJOR) continue;
    std::optional<InstalledPlugin> installed = InstalledAs(plugin);
    if (plugin.source == PluginSource::kProject && !installed) continue;
    if (installed && installed->library != plugin.manifest->library) continue;  // Refused by name, unread.
    libraries.push_back(plugin.library_path());
  }
  hashes_.Prefetch(libraries, std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  for (auto& plugin : Plugins()) Check(plugin);
}

Result<LoadedPlugin*> PluginManager::Load(const std::string& name) {
  if (auto it = loaded_.find(name); it != loaded_.end()) return it->second.get();
  DiscoveredPlugin* plugin = Find(name);
  if (plugin == nullptr) return Status(ErrorCode::kPlugin, "no plugin named '" + name + "' is installed (see berth plugin list)");
  if (!plugin->state.ok()) return plugin->state;  // Its manifest, or its name found twice.
  // Every check again, even after a listing checked it: that may have taken
  // the library's hash from the cache, and what is about to be mapped is
  // hashed now, through the descriptor it is mapped from.
  plugin->checked = true;
  std::optional<LibraryFile> file;
  plugin->state = CheckFiles(*plugin, LibraryHashCache::Mode::kFresh, &file);
  if (!plugin->state.ok()) return plugin->state;
  if (after_check_for_testing_) after_check_for_testing_(*plugin);
  log::Debug("loading plugin {} from {}", name, plugin->library_path().string());
  auto loaded = file->Load(plugin->manifest->name, host_api_.table());
  if (!loaded.ok()) {
    plugin->state = loaded.status();
    return loaded.status();
  }
  LoadedPlugin* raw = loaded.value().get();
  loaded_[name] = std::move(loaded).value();
  return raw;
}

DiscoveredPlugin* PluginManager::FindProvider(ProvidedKind kind, const std::string& name) {
  for (auto& plugin : Plugins()) {
    if (!plugin.manifest) continue;
    for (const auto& provision : plugin.manifest->provides) {
      if (provision.kind == kind && provision.name == name) return &plugin;
    }
  }
  return nullptr;
}

LoadedPlugin& PluginManager::LoadProvider(ProvidedKind kind, const std::string& name) {
  DiscoveredPlugin* provider = FindProvider(kind, name);
  if (provider == nullptr) {
    throw Error(ErrorCode::kPlugin, std::string("no installed plugin provides ") + ProvidedKindName(kind) + " '" + name +
                                        "' (see berth plugin list)");
  }
  return *Load(provider->name).value();
}

berth_object PluginManager::Create(LoadedPlugin& plugin, ProvidedKind kind, const std::string& name,
                                   const nlohmann::json& settings) {
  const Provision* listed = nullptr;
  for (const auto& provision : plugin.provisions()) {
    if (provision.kind == kind && provision.name == name) listed = &provision;
  }
  if (listed == nullptr) {
    throw Error(ErrorCode::kPlugin, "plugin " + plugin.path().string() + ": its manifest lists " + ProvidedKindName(kind) +
                                        " '" + name + "' but it did not register one");
  }
  // Settings from berth.yaml were checked with their places already
  // (project_settings.h); this check covers every other way in (--set,
  // another plugin's host.open) and is idempotent on checked settings.
  SettingsOrigin origin;
  origin.owner = ProviderPhrase(kind, name);
  origin.on_secret = [](const std::string& value) { RegisterSecret(value); };
  nlohmann::json checked = CheckSettings(listed->settings, settings, origin);
  return plugin.Create(ProvidedKindName(kind), name, checked).value();
}

std::pair<berth_object, std::string> PluginManager::CreateObject(ProvidedKind kind, const std::string& name,
                                                                 const nlohmann::json& settings) {
  LoadedPlugin& plugin = LoadProvider(kind, name);
  return {Create(plugin, kind, name, settings), plugin.name()};
}

std::unique_ptr<Registry> PluginManager::OpenRegistry(DiscoveredPlugin& plugin, const std::string& name,
                                                      const nlohmann::json& settings) {
  LoadedPlugin& loaded = *Load(plugin.name).value();
  return abi::ImportRegistry(Create(loaded, ProvidedKind::kRegistry, name, settings), plugin.name);
}

Result<std::unique_ptr<SecretStore>> PluginManager::OpenSecretStore(const std::string& kind,
                                                                    const nlohmann::json& settings) noexcept {
  return CaptureResult([&] {
    auto [object, owner] = CreateObject(ProvidedKind::kSecretStore, kind, settings);
    return abi::ImportSecretStore(object, owner);
  });
}

Result<std::unique_ptr<Target>> PluginManager::OpenTarget(const std::string& kind, const nlohmann::json& settings) noexcept {
  return CaptureResult([&] {
    auto [object, owner] = CreateObject(ProvidedKind::kTarget, kind, settings);
    return abi::ImportTarget(object, owner);
  });
}

Result<std::unique_ptr<CredentialProvider>> PluginManager::OpenCredentialProvider(const std::string& name,
                                                                                  const nlohmann::json& settings) noexcept {
  return CaptureResult([&] {
    auto [object, owner] = CreateObject(ProvidedKind::kCredentialProvider, name, settings);
    return abi::ImportCredentialProvider(object, owner);
  });
}

std::unique_ptr<Builder> PluginManager::OpenBuilder(const std::string& name, const nlohmann::json& settings) {
  auto [object, owner] = CreateObject(ProvidedKind::kBuilder, name, settings);
  return abi::ImportBuilder(object, owner);
}

std::vector<std::string> PluginManager::BuilderNames() {
  std::vector<std::string> names;
  for (const auto& plugin : Plugins()) {
    if (!plugin.manifest) continue;
    for (const auto& provision : plugin.manifest->provides) {
      if (provision.kind == ProvidedKind::kBuilder) names.push_back(provision.name);
    }
  }
  return names;
}

std::string PluginManager::DefaultSigner() {
  std::vector<std::string> names;
  for (const auto& plugin : Plugins()) {
    if (!plugin.manifest) continue;
    for (const auto& provision : plugin.manifest->provides) {
      if (provision.kind == ProvidedKind::kSigner) names.push_back(provision.name);
    }
  }
  if (names.size() == 1) return names.front();
  if (names.empty()) throw Error(ErrorCode::kPlugin, "no installed plugin provides a signer (see berth plugin list)");
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  throw Error(ErrorCode::kUsage, "several signers are installed (" + list + "): name one with --signer or berth.yaml's signing.signer");
}

Result<IssuedToken> PluginManager::MintToken(const std::string& name, const nlohmann::json& settings,
                                             const TokenRequest& request) noexcept {
  return CaptureResult([&]() -> IssuedToken {
    std::unique_ptr<CredentialProvider> provider = OpenCredentialProvider(name, settings).value();
    return provider->Token(request).value();
  });
}

Result<std::unique_ptr<Signer>> PluginManager::OpenSigner(const std::string& kind, const nlohmann::json& settings) noexcept {
  return CaptureResult([&] {
    // An empty kind is "the signer": the one installed (berth names none).
    auto [object, owner] = CreateObject(ProvidedKind::kSigner, kind.empty() ? DefaultSigner() : kind, settings);
    return abi::ImportSigner(object, owner);
  });
}

}  // namespace berth::host

namespace berth::host {

RegistryRouter& PluginManager::registries() {
  if (!registries_) registries_ = std::make_unique<RegistryRouter>(*this);
  return *registries_;
}

}  // namespace berth::host
