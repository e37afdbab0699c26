#include "external_builder.h"

#include <gtest/gtest.h>

#include <set>

namespace berth::builders {
namespace {

MachineProbe Probe(std::set<std::string> programs, bool docker_answers) {
  MachineProbe probe;
  probe.has_program = [programs](const std::string& name) { return programs.count(name) > 0; };
  probe.docker_answers = [docker_answers] { return docker_answers; };
  return probe;
}

BuildRequest WithDockerfile(bool has) {
  BuildRequest request;
  request.context = "/project";
  if (has) request.dockerfile = "/project/Dockerfile";
  return request;
}

TEST(ExternalBuilderTest, BuildxNeedsDockerAndADaemon) {
  BuilderFit fit = ExternalBuilder(Program::kBuildx, Probe({"docker"}, true)).Check(WithDockerfile(true)).value();
  EXPECT_TRUE(fit.usable);
  EXPECT_EQ(fit.preference, 30);
  fit = ExternalBuilder(Program::kBuildx, Probe({"docker"}, false)).Check(WithDockerfile(true)).value();
  EXPECT_FALSE(fit.usable);
  EXPECT_EQ(fit.problem, "no Docker daemon answers (docker info failed)");
}

TEST(ExternalBuilderTest, DaemonlessBuildersNeedTheirProgram) {
  BuilderFit fit = ExternalBuilder(Program::kBuildah, Probe({}, false)).Check(WithDockerfile(true)).value();
  EXPECT_FALSE(fit.usable);
  EXPECT_EQ(fit.problem, "buildah is not on PATH");
  EXPECT_EQ(fit.problem_code, ErrorCode::kNotFound);
  fit = ExternalBuilder(Program::kPodman, Probe({"podman"}, false)).Check(WithDockerfile(true)).value();
  EXPECT_TRUE(fit.usable);
  EXPECT_GT(fit.preference, ExternalBuilder(Program::kBuildah, Probe({"buildah"}, false)).Check(WithDockerfile(true)).value().preference);
}

TEST(ExternalBuilderTest, NoDockerfileNoExternalBuild) {
  BuilderFit fit = ExternalBuilder(Program::kPodman, Probe({"podman"}, false)).Check(WithDockerfile(false)).value();
  EXPECT_FALSE(fit.usable);
  EXPECT_EQ(fit.problem_code, ErrorCode::kInvalidInput);
  EXPECT_EQ(fit.problem, "it needs a Dockerfile; none in the build context");
}

}  // namespace
}  // namespace berth::builders
