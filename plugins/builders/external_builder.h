// The builders berth drives as programs: docker (the default builder of any
// Docker engine), docker buildx, podman and buildah, each writing the image
// into an OCI layout. They need a Dockerfile; build
// secrets, if any, reach them through files, never argv.
#ifndef BERTH_PLUGINS_BUILDERS_EXTERNAL_BUILDER_H_
#define BERTH_PLUGINS_BUILDERS_EXTERNAL_BUILDER_H_

#include <functional>
#include <string>
#include <vector>

#include "berth/builder.h"

namespace berth::builders {

enum class Program { kDocker, kBuildx, kPodman, kBuildah };

// What the machine offers (a seam for tests).
struct MachineProbe {
  std::function<bool(const std::string& program)> has_program;
  std::function<bool()> docker_answers;  // `docker info` exits 0.
  static MachineProbe System();
};

// One program run of a build: its argv and whether it writes only locally
// (no registry credentials needed).
struct BuildStep {
  std::vector<std::string> argv;
  std::string what;  // "podman build", for logs and errors.
  bool local_only = false;
};

// The program runs that build `request` into `request.output` (an OCI
// layout), in order: the build, then for podman and buildah the push of the
// local image into the layout, and for docker the save of the image as a
// docker-archive (DockerArchivePath), which berth's engine then copies into
// the layout: `docker build`'s default builder has no OCI output, and
// `docker save` works with every engine (Docker's classic and containerd
// stores, podman's Docker API).
std::vector<BuildStep> BuildSteps(Program program, const BuildRequest& request);
std::string DockerArchivePath(const BuildRequest& request);

class ExternalBuilder : public Builder {
 public:
  ExternalBuilder(Program program, MachineProbe probe) : program_(program), probe_(std::move(probe)) {}
  Result<BuilderFit> Check(const BuildRequest& request) noexcept override;
  Result<BuildOutcome> Build(const BuildRequest& request) noexcept override;

 private:
  Program program_;
  MachineProbe probe_;
};

}  // namespace berth::builders

#endif  // BERTH_PLUGINS_BUILDERS_EXTERNAL_BUILDER_H_
