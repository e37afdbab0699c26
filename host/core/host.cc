#include "host.h"

#include "core/config/project_settings.h"

namespace berth::host {

bool Host::HasProject() const {
  if (!globals.config.empty()) return true;
  return project_dir && std::filesystem::exists(*project_dir / "berth.yaml");
}

const ProjectConfig& Host::Project() {
  if (!project_) {
    std::filesystem::path file = !globals.config.empty() ? std::filesystem::path(globals.config)
                                 : project_dir            ? *project_dir / "berth.yaml"
                                                          : std::filesystem::path();
    if (file.empty() || !std::filesystem::exists(file)) {
      throw Error(ErrorCode::kInvalidInput,
                  "no berth.yaml here or in any parent directory (write one with berth init, or pass --config FILE)");
    }
    ProjectConfig project = ProjectConfig::Load(file);
    std::vector<TrustNeed> needs;
    if (plugins) {
      // signing.signer defaults to the installed signer; when that is not
      // one, OpenSigner("") says so where a signer is needed.
      if (project.signing && project.signing->signer.empty()) {
        try {
          project.signing->signer = plugins->DefaultSigner();
        } catch (const Error&) {
        }
      }
      // Before normalization: trust is given to what berth.yaml says, not to
      // the absolute paths it becomes.
      needs = FindTrustNeeds(project, InstalledSchemas(*plugins));
      CheckProjectSettings(project, *plugins);
    }
    project_ = std::move(project);
    trust_needs_ = std::move(needs);
  }
  return *project_;
}

const std::vector<TrustNeed>& Host::TrustNeeds() {
  Project();
  return trust_needs_;
}

TrustState Host::ProjectTrust() {
  const ProjectConfig& project = Project();
  if (globals.trust || TrustedByEnvironment()) return TrustState::kTrusted;
  if (!trust_state_) {
    std::optional<TrustRecord> record = TrustStore::ForUser().Find(TrustKey(project.dir), project.file.filename().string());
    trust_state_ = !record                                       ? TrustState::kUntrusted
                   : record->sha256 == TrustDigest(trust_needs_) ? TrustState::kTrusted
                                                                 : TrustState::kChanged;
  }
  return *trust_state_;
}

void Host::RequireTrust(const std::vector<std::string>& fields, const std::vector<std::string>& replaced) {
  std::vector<TrustNeed> needs;
  for (TrustNeed& need : NeedsUnder(TrustNeeds(), fields)) {
    if (NeedsUnder({need}, replaced).empty()) needs.push_back(std::move(need));
  }
  if (needs.empty()) return;
  TrustState state = ProjectTrust();
  if (state == TrustState::kTrusted) return;
  // One error line per setting, as a compiler lists every error it found.
  std::string message;
  for (const auto& line : RefusalLines(needs, state, Project().file.filename().string())) {
    message += (message.empty() ? "" : "\nerror: ") + line;
  }
  throw Error(ErrorCode::kInvalidInput, message);
}

}  // namespace berth::host
