#include "external_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(ExternalBuilderTest, DockerAndBuildxNeedDockerAndADaemon) {
  for (Program program : {Program::kDocker, Program::kBuildx}) {
    BuilderFit fit = ExternalBuilder(program, Probe({"docker"}, true)).Check(WithDockerfile(true)).value();
    EXPECT_TRUE(fit.usable);
    fit = ExternalBuilder(program, Probe({"docker"}, false)).Check(WithDockerfile(true)).value();
    EXPECT_FALSE(fit.usable);
    EXPECT_EQ(fit.problem, "no Docker daemon answers (docker info failed)");
  }
  // auto takes docker build, which every engine's default builder runs, over buildx, whose OCI output needs a
  // docker-container builder.
  EXPECT_GT(ExternalBuilder(Program::kDocker, Probe({"docker"}, true)).Check(WithDockerfile(true)).value().preference,
            ExternalBuilder(Program::kBuildx, Probe({"docker"}, true)).Check(WithDockerfile(true)).value().preference);
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

bool HasArgument(const BuildStep& step, const std::string& argument) {
  return std::find(step.argv.begin(), step.argv.end(), argument) != step.argv.end();
}

// --no-cache reaches every external builder's build command, before the context.
TEST(ExternalBuilderTest, NoCacheReachesTheBuildCommand) {
  BuildRequest request = WithDockerfile(true);
  request.output = "oci:/out/image:build";
  for (Program program : {Program::kDocker, Program::kBuildx, Program::kPodman, Program::kBuildah}) {
    EXPECT_FALSE(HasArgument(BuildSteps(program, request).front(), "--no-cache"));
  }
  request.no_cache = true;
  for (Program program : {Program::kDocker, Program::kBuildx, Program::kPodman, Program::kBuildah}) {
    std::vector<BuildStep> steps = BuildSteps(program, request);
    EXPECT_TRUE(HasArgument(steps.front(), "--no-cache")) << steps.front().what;
    EXPECT_EQ(steps.front().argv.back(), "/project");
    // The push into the layout is no build: the flag is not for it.
    if (steps.size() > 1) EXPECT_FALSE(HasArgument(steps.back(), "--no-cache"));
  }
}

TEST(ExternalBuilderTest, DaemonlessBuildersPushTheirImageIntoTheLayout) {
  BuildRequest request = WithDockerfile(true);
  request.output = "oci:/out/image:build";
  std::vector<BuildStep> steps = BuildSteps(Program::kBuildah, request);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[1].argv, (std::vector<std::string>{"buildah", "--storage-driver", "vfs", "push", "localhost/berth-build:build",
                                                     "oci:/out/image:build"}));
  EXPECT_TRUE(steps[1].local_only);
}

TEST(ExternalBuilderTest, DockerSavesItsImageBesideTheLayoutForTheEngineToCopy) {
  BuildRequest request = WithDockerfile(true);
  request.output = "oci:/out/image:build";
  std::vector<BuildStep> steps = BuildSteps(Program::kDocker, request);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].argv, (std::vector<std::string>{"docker", "build", "-f", "/project/Dockerfile", "-t", "localhost/berth-build:build",
                                                     "/project"}));
  EXPECT_EQ(steps[1].argv, (std::vector<std::string>{"docker", "save", "-o", "/out/image.docker-archive.tar", "localhost/berth-build:build"}));
  EXPECT_TRUE(steps[1].local_only);
}

}  // namespace
}  // namespace berth::builders
