// Which builder makes the image: `auto` takes the first one that works here
// (docker buildx with a daemon that answers, podman, buildah, else berth's
// own); any other name forces that one.
#ifndef BERTH_HOST_CORE_BUILDER_BUILDER_SELECT_H_
#define BERTH_HOST_CORE_BUILDER_BUILDER_SELECT_H_

#include <functional>
#include <string>

#include "berth/oci/reference.h"
#include "core/project_config.h"

namespace berth::host::builder {

enum class BuilderKind { kBuildx, kPodman, kBuildah, kBerth };

std::string BuilderName(BuilderKind kind);

// What the machine offers, as seen by auto-selection (a seam for tests).
struct BuilderProbe {
  std::function<bool(const std::string& program)> has_program;
  std::function<bool()> docker_answers;  // `docker info` exits 0.
  static BuilderProbe System();
};

// External builders need a Dockerfile: without one `auto` means berth's own.
// Throws Error(kInvalidInput) for an unknown name, Error(kNotFound) when a
// forced builder's program is missing.
BuilderKind ChooseBuilder(const BuildConfig& build, bool has_dockerfile, const BuilderProbe& probe);

// Runs an external builder and leaves its image in the OCI layout `output`.
// Build secrets, if any, reach the builder through files, never argv.
void RunExternalBuilder(BuilderKind kind, const BuildConfig& build, const std::filesystem::path& context,
                        const std::filesystem::path& dockerfile, const oci::ImageLocation& output);

}  // namespace berth::host::builder

#endif  // BERTH_HOST_CORE_BUILDER_BUILDER_SELECT_H_
