// The builders plugin: the builders berth ships. Each is a Builder (berth's
// builder.h); `build.builder: auto` lets berth ask them which fits.
#include "berth/plugin.h"
#include "berth_builder.h"
#include "external_builder.h"

namespace berth::builders {
namespace {

void Register(Registrar& registrar) {
  registrar.SetDescription("Image builders: docker, docker buildx, podman, buildah, and berth's own daemonless builder");
  registrar.AddBuilder("berth", "berth's own: the build context as one reproducible layer on a base image, no Dockerfile",
                       [](const nlohmann::json& settings) { return std::make_unique<BerthBuilder>(settings); },
                       BerthBuilderSchema());
  registrar.AddBuilder("docker", "docker build with any Docker engine's default builder, then docker save",
                       [](const nlohmann::json&) { return std::make_unique<ExternalBuilder>(Program::kDocker, MachineProbe::System()); });
  registrar.AddBuilder("buildx", "docker buildx build with a builder that has OCI output (docker-container driver)",
                       [](const nlohmann::json&) { return std::make_unique<ExternalBuilder>(Program::kBuildx, MachineProbe::System()); });
  registrar.AddBuilder("podman", "podman build (daemonless, vfs storage, chroot isolation)",
                       [](const nlohmann::json&) { return std::make_unique<ExternalBuilder>(Program::kPodman, MachineProbe::System()); });
  registrar.AddBuilder("buildah", "buildah bud (daemonless, vfs storage, chroot isolation)",
                       [](const nlohmann::json&) { return std::make_unique<ExternalBuilder>(Program::kBuildah, MachineProbe::System()); });
}

}  // namespace
}  // namespace berth::builders

BERTH_PLUGIN("builders", "1.0.0", berth::builders::Register)
