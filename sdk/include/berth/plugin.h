// What a plugin author includes: the Registrar and the BERTH_PLUGIN macro.
//
//   void Register(berth::Registrar& registrar) {
//     registrar.AddSecretStore("file", "Secrets in local 0600 files", MakeStore);
//     registrar.AddCommand({.path = "file-secrets path", ...}, RunPath);
//   }
//   BERTH_PLUGIN("file-secrets", "1.0.0", Register)
//
// The Registrar and everything it holds live in the plugin's own code (the
// SDK's runtime is compiled into each plugin); the host sees only the C
// structs of berth/abi/berth_plugin_api.h. Every callable handed to the
// Registrar is wrapped so that an exception it throws becomes a Status
// before control goes back to the host.
#ifndef BERTH_PLUGIN_H_
#define BERTH_PLUGIN_H_

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "berth/abi/berth_plugin_api.h"
#include "berth/command.h"
#include "berth/error.h"
#include "berth/settings.h"

namespace berth {

class Registry;
class Target;
class SecretStore;
class Signer;
class CredentialProvider;
class Builder;

enum class ProvidedKind { kRegistry, kTarget, kSecretStore, kSigner, kCredentialProvider, kBuilder };

// "registry", "target", "secret-store", "signer", "credential", "builder": the
// words the manifest and `berth plugin list` use.
const char* ProvidedKindName(ProvidedKind kind) noexcept;
std::optional<ProvidedKind> ParseProvidedKind(std::string_view name) noexcept;

struct Provision {
  ProvidedKind kind;
  std::string name;
  std::string summary;
  std::vector<std::string> hosts;  // Registries: the hosts they claim ("ghcr.io", "*-docker.pkg.dev").
  nlohmann::json settings;         // The declared settings' JSON Schema (berth/settings.h); null: none declared.
};

// Settings come from berth.yaml (an environment's target or secret store
// block, a registry's block) as JSON, checked and normalized by the host
// against the schema given with the factory (berth/settings.h).
template <typename Interface>
using Factory = std::function<Result<std::unique_ptr<Interface>>(const nlohmann::json& settings)>;

using GuardedCommandFn = std::function<Result<int>(CommandContext&)>;

struct RegisteredCommand {
  CommandSpec spec;
  GuardedCommandFn run;
};

class Registrar {
 public:
  void SetDescription(std::string description) { description_ = std::move(description); }

  template <typename Fn>
  void AddCommand(CommandSpec spec, Fn fn) {
    AddCommandGuarded(std::move(spec), [fn = std::move(fn)](CommandContext& context) noexcept -> Result<int> {
      return CaptureResult([&]() -> int { return fn(context); });
    });
  }
  template <typename Fn>
  void AddSecretStore(std::string name, std::string summary, Fn make, const SettingsSchema& settings = {}) {
    AddSecretStoreFactory({ProvidedKind::kSecretStore, std::move(name), std::move(summary), {}, settings.ToJson()},
                     Guard<SecretStore>(std::move(make)));
  }
  template <typename Fn>
  void AddRegistry(std::string name, std::string summary, std::vector<std::string> hosts, Fn make,
                   const SettingsSchema& settings = {}) {
    AddRegistryFactory({ProvidedKind::kRegistry, std::move(name), std::move(summary), std::move(hosts), settings.ToJson()},
                       Guard<Registry>(std::move(make)));
  }
  template <typename Fn>
  void AddTarget(std::string name, std::string summary, Fn make, const SettingsSchema& settings = {}) {
    AddTargetFactory({ProvidedKind::kTarget, std::move(name), std::move(summary), {}, settings.ToJson()},
                     Guard<Target>(std::move(make)));
  }
  template <typename Fn>
  void AddSigner(std::string name, std::string summary, Fn make, const SettingsSchema& settings = {}) {
    AddSignerFactory({ProvidedKind::kSigner, std::move(name), std::move(summary), {}, settings.ToJson()},
                     Guard<Signer>(std::move(make)));
  }
  template <typename Fn>
  void AddCredentialProvider(std::string name, std::string summary, Fn make, const SettingsSchema& settings = {}) {
    AddCredentialProviderFactory({ProvidedKind::kCredentialProvider, std::move(name), std::move(summary), {}, settings.ToJson()},
                                 Guard<CredentialProvider>(std::move(make)));
  }

  template <typename Fn>
  void AddBuilder(std::string name, std::string summary, Fn make, const SettingsSchema& settings = {}) {
    AddBuilderFactory({ProvidedKind::kBuilder, std::move(name), std::move(summary), {}, settings.ToJson()},
                      Guard<Builder>(std::move(make)));
  }

  // What was registered (read by the SDK's entry point code).
  const std::string& description() const { return description_; }
  const std::vector<Provision>& provisions() const { return provisions_; }
  const std::vector<RegisteredCommand>& commands() const { return commands_; }
  const Factory<Registry>* FindRegistry(const std::string& name) const;
  const Factory<Target>* FindTarget(const std::string& name) const;
  const Factory<SecretStore>* FindSecretStore(const std::string& name) const;
  const Factory<Signer>* FindSigner(const std::string& name) const;
  const Factory<CredentialProvider>* FindCredentialProvider(const std::string& name) const;
  const Factory<Builder>* FindBuilder(const std::string& name) const;

 private:
  template <typename Interface, typename Fn>
  static Factory<Interface> Guard(Fn make) {
    return [make = std::move(make)](const nlohmann::json& settings) noexcept -> Result<std::unique_ptr<Interface>> {
      return CaptureResult([&]() -> std::unique_ptr<Interface> { return make(settings); });
    };
  }
  // Out of line: these check names and throw Error on a duplicate, which the
  // registration guard reports.
  void AddCommandGuarded(CommandSpec spec, GuardedCommandFn run);
  void AddRegistryFactory(Provision provision, Factory<Registry> factory);
  void AddTargetFactory(Provision provision, Factory<Target> factory);
  void AddSecretStoreFactory(Provision provision, Factory<SecretStore> factory);
  void AddSignerFactory(Provision provision, Factory<Signer> factory);
  void AddCredentialProviderFactory(Provision provision, Factory<CredentialProvider> factory);
  void AddBuilderFactory(Provision provision, Factory<Builder> factory);
  // Records what the plugin provides, refusing a duplicate; returns its name.
  const std::string& AddProvision(const Provision& provision);

  std::string description_;
  std::vector<Provision> provisions_;
  std::vector<RegisteredCommand> commands_;
  std::map<std::string, Factory<Registry>> registries_;
  std::map<std::string, Factory<Target>> targets_;
  std::map<std::string, Factory<SecretStore>> secret_stores_;
  std::map<std::string, Factory<Signer>> signers_;
  std::map<std::string, Factory<CredentialProvider>> credential_providers_;
  std::map<std::string, Factory<Builder>> builders_;
};

}  // namespace berth

namespace berth::abi {
using RegisterFn = void (*)(Registrar& registrar);
// The plugin's description for the host: the C struct the entry point
// returns, filled by the SDK code compiled into the plugin
// (sdk/runtime/plugin_entry.cc).
const berth_plugin* PluginEntry(const char* name, const char* version, RegisterFn register_fn) noexcept;
}  // namespace berth::abi

// Defines the plugin's one exported entry point, berth_plugin_entry.
#define BERTH_PLUGIN(NAME, VERSION, REGISTER_FN)                                                      \
  extern "C" __attribute__((visibility("default"))) const berth_plugin* berth_plugin_entry(void) {   \
    return berth::abi::PluginEntry(NAME, VERSION, [](berth::Registrar& registrar) { REGISTER_FN(registrar); }); \
  }

#endif  // BERTH_PLUGIN_H_
