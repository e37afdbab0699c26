// The descriptors this machine deployed, by sha256, with the image and
// version each carried. `atlas micros service show` lists past deployments by
// descriptor sha256 only, so these records are what turns a revision number
// back into something that can be redeployed, and what status and history
// show as the image.
#ifndef BERTH_PLUGINS_MICROS_DEPLOY_RECORDS_H_
#define BERTH_PLUGINS_MICROS_DEPLOY_RECORDS_H_

#include <filesystem>
#include <optional>
#include <string>

namespace berth::micros {

struct DeployRecord {
  std::string descriptor;   // Exactly what atlas was given.
  std::string image;        // repository@sha256:...
  std::string version;
};

class DeployRecords {
 public:
  // $XDG_STATE_HOME/berth/micros/SERVICE/ENV (else ~/.local/state/...).
  DeployRecords(const std::string& service, const std::string& env);
  explicit DeployRecords(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Returns the descriptor's sha256 (hex). Failing to write only warns: the
  // deploy itself does not depend on it.
  std::string Save(const DeployRecord& record) const;
  std::optional<DeployRecord> Find(const std::string& sha256_hex) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_DEPLOY_RECORDS_H_
