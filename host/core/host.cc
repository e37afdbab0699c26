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
    if (plugins) {
      // signing.signer defaults to the installed signer; when that is not
      // one, OpenSigner("") says so where a signer is needed.
      if (project.signing && project.signing->signer.empty()) {
        try {
          project.signing->signer = plugins->DefaultSigner();
        } catch (const Error&) {
        }
      }
      CheckProjectSettings(project, *plugins);
    }
    project_ = std::move(project);
  }
  return *project_;
}

}  // namespace berth::host
