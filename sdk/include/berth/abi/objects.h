// The provided kinds across the C boundary, in both directions:
//   Export*: a C++ object this side made becomes a berth_object whose call()
//            decodes the JSON request, calls the C++ method and encodes the
//            reply (a plugin exports what its factories make);
//   Import*: a berth_object from the other side becomes a C++ object of the
//            same interface (the host imports what plugins make; a plugin
//            imports what the host opens for it from other plugins).
// Method names and their JSON are listed in berth_plugin_api.h and
// docs/plugin-sdk.md.
#ifndef BERTH_ABI_OBJECTS_H_
#define BERTH_ABI_OBJECTS_H_

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "berth/abi/berth_plugin_api.h"
#include "berth/builder.h"
#include "berth/credential_provider.h"
#include "berth/registry.h"
#include "berth/secret_store.h"
#include "berth/signer.h"
#include "berth/target.h"

namespace berth {
class Services;
}

namespace berth::abi {

berth_object ExportSecretStore(std::unique_ptr<SecretStore> store);
berth_object ExportTarget(std::unique_ptr<Target> target);
// `services` is what Sign and Verify get: the exporting side's view of the host.
berth_object ExportSigner(std::unique_ptr<Signer> signer, Services* services);
berth_object ExportCredentialProvider(std::unique_ptr<CredentialProvider> provider);
berth_object ExportRegistry(std::unique_ptr<Registry> registry);
berth_object ExportBuilder(std::unique_ptr<Builder> builder);

// Owns a berth_object from the other side and calls it. `owner` names the
// plugin in every error ("k8s: target.deploy: ...").
class ImportedObject {
 public:
  ImportedObject(berth_object object, std::string owner);
  ~ImportedObject();
  ImportedObject(const ImportedObject&) = delete;
  ImportedObject& operator=(const ImportedObject&) = delete;

  // Throws Error with the other side's status and message.
  nlohmann::json Call(const char* method, const nlohmann::json& request) const;
  // The same, nullopt when the other side does not know the method (an
  // object built with older headers).
  std::optional<nlohmann::json> CallIfSupported(const char* method, const nlohmann::json& request) const;
  const std::string& owner() const { return owner_; }

 private:
  std::optional<nlohmann::json> CallOrUnsupported(const char* method, const nlohmann::json& request, bool unsupported_is_error) const;
  berth_object object_;
  std::string owner_;
};

// Called around every call into another side's code; the host uses it to
// name the plugin when that code crashes. Null on the plugin side.
using CallObserver = void (*)(const std::string& owner, const char* operation, bool entering);
void SetCallObserver(CallObserver observer);
CallObserver GetCallObserver();

// Adds the plugin's name (and the operation) to a message from plugin code,
// unless the message names the plugin already.
std::string AttributeMessage(const std::string& owner, const std::string& operation, const std::string& message);

std::unique_ptr<SecretStore> ImportSecretStore(berth_object object, std::string owner);
std::unique_ptr<Target> ImportTarget(berth_object object, std::string owner);
std::unique_ptr<Signer> ImportSigner(berth_object object, std::string owner);
std::unique_ptr<CredentialProvider> ImportCredentialProvider(berth_object object, std::string owner);
std::unique_ptr<Registry> ImportRegistry(berth_object object, std::string owner);
std::unique_ptr<Builder> ImportBuilder(berth_object object, std::string owner);

}  // namespace berth::abi

#endif  // BERTH_ABI_OBJECTS_H_
