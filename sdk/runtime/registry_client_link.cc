// For plugins that link the SDK's OCI client (libberth-sdk): registry
// clients made in the plugin with the settings and credentials the host
// chose for that registry, asked for through the host's service table.
#include <map>
#include <mutex>

#include "berth/abi/codec.h"
#include "berth/abi/host_link.h"
#include "berth/oci/client.h"
#include "berth/oci/reference.h"
#include "berth/oci/settings_json.h"
#include "berth/oci/upload_state.h"

namespace berth::abi {
namespace {

// One client per registry for the plugin's life, as in the host: one token
// cache, one connection pool.
std::shared_ptr<oci::RegistryClient> OpenClient(const std::string& reference) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<oci::RegistryClient>> clients;
  nlohmann::json reply = CallHost("registry.client-options", {{"reference", reference}});
  std::string registry = reply.value("registry", "");
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = clients.find(registry); it != clients.end()) return it->second;
  oci::ClientOptions options;
  options.registry = registry;
  options.settings = oci::SettingsFromJson(reply.value("settings", nlohmann::json::object()));
  options.credentials = [](const std::string& host, const std::vector<std::string>& scopes) {
    nlohmann::json answer = CallHost("registry.credential", {{"registry", host}, {"scopes", scopes}});
    return answer.value("credential", nlohmann::json::object()).get<oci::Credential>();
  };
  options.other_hosts_tls = [](const std::string& other) {
    nlohmann::json answer = CallHost("registry.client-options", {{"reference", other}, {"host_only", true}});
    return oci::SettingsFromJson(answer.value("settings", nlohmann::json::object())).tls;
  };
  options.upload_state = std::make_shared<const oci::UploadStateStore>(oci::UploadStateStore::DefaultDir());
  auto client = std::make_shared<oci::RegistryClient>(std::move(options));
  clients[registry] = client;
  return client;
}

const bool kInstalled = (SetRegistryClientOpener(&OpenClient), true);

}  // namespace
}  // namespace berth::abi
