#include "core/builder/builder_select.h"

#include <gtest/gtest.h>

#include <set>

#include "berth/error.h"

namespace berth::host::builder {
namespace {

BuilderProbe Probe(std::set<std::string> programs, bool docker_answers) {
  BuilderProbe probe;
  probe.has_program = [programs](const std::string& name) { return programs.count(name) > 0; };
  probe.docker_answers = [docker_answers] { return docker_answers; };
  return probe;
}

BuildConfig Build(const std::string& builder) {
  BuildConfig build;
  build.builder = builder;
  return build;
}

TEST(ChooseBuilderTest, AutoPrefersBuildxWhenTheDaemonAnswers) {
  EXPECT_EQ(ChooseBuilder(Build("auto"), true, Probe({"docker", "podman", "buildah"}, true)), BuilderKind::kBuildx);
}

TEST(ChooseBuilderTest, AutoSkipsDockerWithoutADaemon) {
  EXPECT_EQ(ChooseBuilder(Build("auto"), true, Probe({"docker", "podman", "buildah"}, false)), BuilderKind::kPodman);
  EXPECT_EQ(ChooseBuilder(Build("auto"), true, Probe({"docker", "buildah"}, false)), BuilderKind::kBuildah);
  EXPECT_EQ(ChooseBuilder(Build("auto"), true, Probe({}, false)), BuilderKind::kBerth);
}

TEST(ChooseBuilderTest, AutoWithoutDockerfileIsBerths) {
  EXPECT_EQ(ChooseBuilder(Build("auto"), false, Probe({"docker", "podman"}, true)), BuilderKind::kBerth);
}

TEST(ChooseBuilderTest, BerthIsForced) {
  EXPECT_EQ(ChooseBuilder(Build("berth"), true, Probe({"docker"}, true)), BuilderKind::kBerth);
}

TEST(ChooseBuilderTest, ForcedMissingBuilderIsNotFound) {
  try {
    ChooseBuilder(Build("buildah"), true, Probe({}, false));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_STREQ(error.what(), "build.builder is buildah but buildah is not on PATH");
  }
}

TEST(ChooseBuilderTest, UnknownNameIsRefused) {
  EXPECT_THROW(ChooseBuilder(Build("kaniko"), true, Probe({}, false)), Error);
}

}  // namespace
}  // namespace berth::host::builder
