// The local default secret store: one JSON file per environment,
// <dir>/<environment>.json, mode 0600, replaced atomically on every change.
// Values never leave it except through Reveal() for the caller that set them.
#ifndef BERTH_PLUGINS_FILE_SECRETS_FILE_STORE_H_
#define BERTH_PLUGINS_FILE_SECRETS_FILE_STORE_H_

#include <nlohmann/json.hpp>

#include <filesystem>

#include "berth/secret_store.h"

namespace berth::file_secrets {

class FileStore : public SecretStore {
 public:
  explicit FileStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Settings: {"dir": "..."}; default $XDG_DATA_HOME/berth/secrets.
  static std::filesystem::path DirFromSettings(const nlohmann::json& settings);

  Status Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept override;
  Result<std::vector<std::string>> List(const std::string& environment) noexcept override;
  Status Delete(const std::string& environment, const std::string& name) noexcept override;
  Result<std::vector<SecretDiffEntry>> Diff(const std::string& environment,
                                            const std::map<std::string, SecretValue>& desired) noexcept override;

  std::filesystem::path FileFor(const std::string& environment) const;

 private:
  std::map<std::string, SecretValue> Read(const std::string& environment) const;
  void Write(const std::string& environment, const std::map<std::string, SecretValue>& values) const;
  std::filesystem::path dir_;
};

}  // namespace berth::file_secrets

#endif  // BERTH_PLUGINS_FILE_SECRETS_FILE_STORE_H_
