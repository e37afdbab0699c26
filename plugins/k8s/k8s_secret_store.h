// The `k8s` secret store: one Secret per environment (name from the
// settings), each berth secret one key of it. Keys are written by
// server-side apply as field manager berth, removed with a JSON patch, listed
// by name; values are compared in memory and never printed.
#ifndef BERTH_PLUGINS_K8S_K8S_SECRET_STORE_H_
#define BERTH_PLUGINS_K8S_K8S_SECRET_STORE_H_

#include <set>

#include "berth/secret_store.h"
#include "k8s_settings.h"

namespace berth::k8s {

class K8sSecretStore : public SecretStore {
 public:
  // Throws Error(kInvalidInput) for malformed settings.
  explicit K8sSecretStore(const nlohmann::json& settings);

  Status Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept override;
  Result<std::vector<std::string>> List(const std::string& environment) noexcept override;
  Status Delete(const std::string& environment, const std::string& name) noexcept override;
  Result<std::vector<SecretDiffEntry>> Diff(const std::string& environment,
                                            const std::map<std::string, SecretValue>& desired) noexcept override;

 private:
  SecretStoreSettings settings_;
};

// The data keys field manager `manager` holds by Apply in a Secret's managedFields.
std::set<std::string> AppliedDataKeys(const nlohmann::json& secret, const std::string& manager);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_K8S_SECRET_STORE_H_
