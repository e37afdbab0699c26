// The micros target: deploys through the atlas CLI (create the service when
// it is missing, deploy a rendered descriptor, read the URL back with
// `service show`), then waits for the health URL.
#ifndef BERTH_PLUGINS_MICROS_MICROS_TARGET_H_
#define BERTH_PLUGINS_MICROS_MICROS_TARGET_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "atlas_cli.h"
#include "berth/target.h"
#include "deploy_records.h"
#include "micros_settings.h"

namespace berth::micros {

// A descriptor ready for atlas.
struct RenderedDescriptor {
  std::string text;
  std::string source;    // The template's path, or "inline" (built from berth.yaml settings).
  std::string sha256;    // Hex, as `service show` reports it.
};

// Renders the descriptor for `image` (REPOSITORY@sha256:...) and `version`
// and checks it: warnings are logged, errors logged one per line and thrown
// as Error(kInvalidInput).
RenderedDescriptor RenderFor(const MicrosSettings& settings, const std::filesystem::path& project_dir,
                             const std::string& image, const std::string& version);

class MicrosTarget : public Target {
 public:
  explicit MicrosTarget(nlohmann::json settings);

  Result<DeployPlan> Plan(const DeployRequest& request) noexcept override;
  Result<DeployOutcome> Deploy(const DeployRequest& request) noexcept override;
  Result<TargetStatus> Status(const TargetQuery& query) noexcept override;
  Result<std::vector<TargetRevision>> History(const TargetQuery& query) noexcept override;
  Result<DeployOutcome> Rollback(const RollbackRequest& request) noexcept override;

 private:
  struct Session {
    MicrosSettings settings;
    AtlasCli atlas;
    DeployRecords records;
    std::filesystem::path project_dir;
    std::string environment;  // berth's name for it.
  };
  Session Open(const TargetQuery& query) const;
  // `service show`, or nullopt when the service does not exist.
  std::optional<nlohmann::json> Show(Session& session) const;
  // Keys of this service's stash the descriptor refers to that are not set.
  std::vector<std::string> MissingStashKeys(Session& session, const std::string& descriptor) const;
  DeployOutcome Apply(Session& session, const std::string& descriptor, const std::string& image, const std::string& version,
                      const std::optional<HealthCheck>& health, std::chrono::seconds timeout) const;

  nlohmann::json settings_;
};

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_MICROS_TARGET_H_
