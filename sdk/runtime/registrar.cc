#include <algorithm>

#include "berth/builder.h"
#include "berth/plugin.h"

namespace berth {
namespace {

template <typename Map>
auto* FindIn(const Map& map, const std::string& name) {
  auto it = map.find(name);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace

const std::string& Registrar::AddProvision(const Provision& provision) {
  if (provision.name.empty()) throw Error(ErrorCode::kPlugin, std::string("a ") + ProvidedKindName(provision.kind) + " needs a name");
  for (const auto& existing : provisions_) {
    if (existing.kind == provision.kind && existing.name == provision.name) {
      throw Error(ErrorCode::kPlugin,
                  std::string(ProvidedKindName(provision.kind)) + " '" + provision.name + "' registered twice");
    }
  }
  provisions_.push_back(provision);
  return provisions_.back().name;
}

void Registrar::AddCommandGuarded(CommandSpec spec, GuardedCommandFn run) {
  if (spec.path.empty()) throw Error(ErrorCode::kPlugin, "a command needs a path");
  for (const auto& existing : commands_) {
    if (existing.spec.path == spec.path) throw Error(ErrorCode::kPlugin, "command '" + spec.path + "' registered twice");
  }
  commands_.push_back({std::move(spec), std::move(run)});
}

void Registrar::AddRegistryFactory(Provision provision, Factory<Registry> factory) {
  registries_[AddProvision(provision)] = std::move(factory);
}
void Registrar::AddTargetFactory(Provision provision, Factory<Target> factory) {
  targets_[AddProvision(provision)] = std::move(factory);
}
void Registrar::AddSecretStoreFactory(Provision provision, Factory<SecretStore> factory) {
  secret_stores_[AddProvision(provision)] = std::move(factory);
}
void Registrar::AddSignerFactory(Provision provision, Factory<Signer> factory) {
  signers_[AddProvision(provision)] = std::move(factory);
}
void Registrar::AddCredentialProviderFactory(Provision provision, Factory<CredentialProvider> factory) {
  credential_providers_[AddProvision(provision)] = std::move(factory);
}

void Registrar::AddBuilderFactory(Provision provision, Factory<Builder> factory) {
  builders_[AddProvision(provision)] = std::move(factory);
}

const Factory<Registry>* Registrar::FindRegistry(const std::string& name) const { return FindIn(registries_, name); }
const Factory<Target>* Registrar::FindTarget(const std::string& name) const { return FindIn(targets_, name); }
const Factory<SecretStore>* Registrar::FindSecretStore(const std::string& name) const {
  return FindIn(secret_stores_, name);
}
const Factory<Signer>* Registrar::FindSigner(const std::string& name) const { return FindIn(signers_, name); }
const Factory<CredentialProvider>* Registrar::FindCredentialProvider(const std::string& name) const {
  return FindIn(credential_providers_, name);
}

const Factory<Builder>* Registrar::FindBuilder(const std::string& name) const { return FindIn(builders_, name); }

}  // namespace berth
