#include "core/builder/builder_choice.h"

#include <gtest/gtest.h>

namespace berth::host::builder {
namespace {

Candidate Usable(const std::string& name, int preference) { return {name, {.usable = true, .preference = preference}}; }
Candidate Missing(const std::string& name, int preference, const std::string& problem,
                  ErrorCode code = ErrorCode::kNotFound) {
  return {name, {.usable = false, .preference = preference, .problem = problem, .problem_code = code}};
}

TEST(ChooseBuilderTest, AutoTakesTheUsableOneThatPrefersItselfMost) {
  EXPECT_EQ(ChooseBuilder("auto", {Usable("berth", 0), Usable("podman", 20), Usable("buildx", 30)}), "buildx");
  EXPECT_EQ(ChooseBuilder("auto", {Usable("berth", 0), Usable("podman", 20), Missing("buildx", 30, "no daemon")}), "podman");
  EXPECT_EQ(ChooseBuilder("auto", {Usable("berth", 0), Missing("podman", 20, "podman is not on PATH")}), "berth");
}

TEST(ChooseBuilderTest, ANamedBuilderThatDoesNotFitSaysWhy) {
  try {
    ChooseBuilder("buildah", {Usable("berth", 0), Missing("buildah", 10, "buildah is not on PATH")});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_STREQ(error.what(), "build.builder is buildah but buildah is not on PATH");
  }
  try {
    ChooseBuilder("podman", {Missing("podman", 20, "it needs a Dockerfile; none in the build context", ErrorCode::kInvalidInput)});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
  }
  EXPECT_EQ(ChooseBuilder("berth", {Usable("berth", 0), Usable("buildx", 30)}), "berth");
}

TEST(ChooseBuilderTest, UnknownNamesAndNoFitAreErrors) {
  EXPECT_THROW(ChooseBuilder("kaniko", {Usable("berth", 0)}), Error);
  try {
    ChooseBuilder("auto", {Missing("buildx", 30, "docker is not on PATH")});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_STREQ(error.what(), "no installed builder can build this project (buildx: docker is not on PATH)");
  }
}

// berth's own builder packs the context and ignores a Dockerfile: `auto`
// must not fall back to it for a project that has one (#15 item 8).
Candidate Packer() { return {"berth", {.usable = true, .preference = 0, .ignores_dockerfile = true}}; }

TEST(ChooseBuilderTest, AutoNeverTakesABuilderThatIgnoresTheDockerfile) {
  EXPECT_EQ(ChooseBuilder("auto", {Packer(), Missing("buildah", 10, "buildah is not on PATH")}), "berth");
  EXPECT_EQ(ChooseBuilder("auto", {Packer(), Usable("buildah", 10)}, "/p/Dockerfile"), "buildah");
  try {
    ChooseBuilder("auto", {Packer(), Missing("buildx", 30, "docker is not on PATH"), Missing("podman", 20, "podman is not on PATH")},
                  "/p/Dockerfile");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_STREQ(error.what(), "no installed builder can build /p/Dockerfile (berth: it does not run a Dockerfile (name it in "
                               "build.builder to build without one); buildx: docker is not on PATH; podman: podman is not on PATH)");
  }
}

TEST(ChooseBuilderTest, NamingTheBuilderThatIgnoresTheDockerfileIsADeliberateChoice) {
  EXPECT_EQ(ChooseBuilder("berth", {Packer(), Usable("buildx", 30)}, "/p/Dockerfile"), "berth");
}

}  // namespace
}  // namespace berth::host::builder
