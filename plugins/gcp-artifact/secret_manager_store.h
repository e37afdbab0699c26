// The `gcp-secret-manager` secret store: each berth secret is one Secret
// Manager secret, id = prefix + name (prefix "{environment}--" by default),
// in the project from the settings. Set creates the secret when it is
// missing (replication automatic, or userManaged in replication-locations;
// labels managed-by=berth and berth-environment) and adds a version with
// the payload's CRC-32C; list pages through the project's secrets; delete
// removes the secret with all its versions; diff reads the latest versions
// and compares in memory, never printing a value.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_SECRET_MANAGER_STORE_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_SECRET_MANAGER_STORE_H_

#include <memory>

#include "berth/secret_store.h"
#include "gcp_settings.h"
#include "google_api.h"

namespace berth::gcp {

class SecretManagerStore : public SecretStore {
 public:
  // Throws Error(kInvalidInput) when the settings have no project.
  SecretManagerStore(GcpSettings settings, std::shared_ptr<GoogleApi> api);

  Status Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept override;
  Result<std::vector<std::string>> List(const std::string& environment) noexcept override;
  Status Delete(const std::string& environment, const std::string& name) noexcept override;
  Result<std::vector<SecretDiffEntry>> Diff(const std::string& environment,
                                            const std::map<std::string, SecretValue>& desired) noexcept override;

  // The secret id of `name` in `environment`; Error(kInvalidInput) when it is
  // not one Secret Manager accepts.
  std::string SecretId(const std::string& environment, const std::string& name) const;
  void set_list_page_size(int size) { list_page_size_ = size; }

 private:
  std::string Prefix(const std::string& environment) const;
  std::string SecretsUrl() const;
  std::vector<std::string> ListIds();
  void Create(const std::string& environment, const std::string& id);
  nlohmann::json AddVersion(const std::string& id, const SecretValue& value);

  GcpSettings settings_;
  std::shared_ptr<GoogleApi> api_;
  int list_page_size_ = 250;
};

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_SECRET_MANAGER_STORE_H_
