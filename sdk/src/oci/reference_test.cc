#include "berth/oci/reference.h"

#include <gtest/gtest.h>

#include "berth/error.h"

namespace berth::oci {
namespace {

std::string ErrorOf(std::string_view text) {
  try {
    Reference::Parse(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    return e.what();
  }
  ADD_FAILURE() << "no error for " << text;
  return "";
}

TEST(ReferenceTest, NormalisesLikeDocker) {
  Reference ubuntu = Reference::Parse("ubuntu");
  EXPECT_EQ(ubuntu.registry, "docker.io");
  EXPECT_EQ(ubuntu.repository, "library/ubuntu");
  EXPECT_EQ(ubuntu.Identifier(), "latest");
  EXPECT_EQ(ubuntu.str(), "docker.io/library/ubuntu:latest");
  EXPECT_EQ(ubuntu.ApiHost(), "registry-1.docker.io");
  EXPECT_EQ(Reference::Parse("user/app:1").str(), "docker.io/user/app:1");
  EXPECT_EQ(Reference::Parse("index.docker.io/library/x").registry, "docker.io");
  EXPECT_EQ(Reference::Parse("localhost/app").registry, "localhost");
  EXPECT_EQ(Reference::Parse("localhost:5000/a/b/c:v1.2_3").repository, "a/b/c");
  EXPECT_EQ(Reference::Parse("[::1]:5000/app:1").registry, "[::1]:5000");
  EXPECT_EQ(Reference::Parse("Registry.Example.com/app").registry, "registry.example.com");
  EXPECT_EQ(Reference::Parse("ghcr.io/org/a-b__c.d:1").repository, "org/a-b__c.d");
}

TEST(ReferenceTest, TagsDigestsAndPorts) {
  const std::string digest = "sha256:" + std::string(64, 'a');
  Reference ref = Reference::Parse("127.0.0.1:5000/team/app:1.0@" + digest);
  EXPECT_EQ(ref.registry, "127.0.0.1:5000");
  EXPECT_EQ(ref.repository, "team/app");
  EXPECT_EQ(ref.tag, "1.0");
  ASSERT_TRUE(ref.digest);
  EXPECT_EQ(ref.Identifier(), digest);
  EXPECT_EQ(ref.str(), "127.0.0.1:5000/team/app:1.0@" + digest);
  Reference by_digest = Reference::Parse("127.0.0.1:5000/team/app@" + digest);
  EXPECT_TRUE(by_digest.tag.empty());
  EXPECT_EQ(by_digest.str(), "127.0.0.1:5000/team/app@" + digest);
  // A port is not a tag.
  Reference port_only = Reference::Parse("myhost:5000/app");
  EXPECT_EQ(port_only.registry, "myhost:5000");
  EXPECT_TRUE(port_only.tag.empty());
}

TEST(ReferenceTest, BadReferencesSayWhy) {
  EXPECT_EQ(ErrorOf(""), "invalid reference '': empty");
  EXPECT_EQ(ErrorOf("ghcr.io/Org/App"), "invalid reference 'ghcr.io/Org/App': repository name must be lowercase");
  EXPECT_NE(ErrorOf("app:.bad").find("bad tag '.bad'"), std::string::npos);
  EXPECT_NE(ErrorOf("app:" + std::string(129, 'a')).find("bad tag"), std::string::npos);
  EXPECT_NE(ErrorOf("app@sha256:123").find("bad digest 'sha256:123'"), std::string::npos);
  EXPECT_NE(ErrorOf("ghcr.io/a//b").find("bad repository name 'a//b'"), std::string::npos);
  EXPECT_NE(ErrorOf("ghcr.io/a/-b").find("bad repository name"), std::string::npos);
  EXPECT_NE(ErrorOf("ghcr.io/").find("no repository name"), std::string::npos);
  EXPECT_NE(ErrorOf("bad_host.io:99999999/a").find("bad registry host"), std::string::npos);
  EXPECT_THROW(Reference::ParseRepository("ghcr.io/a:1"), Error);
}

TEST(ImageLocationTest, LocalFormats) {
  ImageLocation layout = ImageLocation::Parse("oci:./dir/x:v1");
  EXPECT_EQ(layout.kind, ImageLocation::Kind::kOciLayout);
  EXPECT_EQ(layout.path, "./dir/x");
  EXPECT_EQ(layout.tag, "v1");
  EXPECT_EQ(ImageLocation::Parse("oci:/abs/dir").tag, "");
  EXPECT_EQ(ImageLocation::Parse("oci:/abs/dir").path, "/abs/dir");
  const std::string digest = "sha256:" + std::string(64, 'b');
  EXPECT_EQ(ImageLocation::Parse("oci:d@" + digest).digest->str(), digest);
  ImageLocation archive = ImageLocation::Parse("docker-archive:img.tar:team/app:1");
  EXPECT_EQ(archive.kind, ImageLocation::Kind::kDockerArchive);
  EXPECT_EQ(archive.path, "img.tar");
  EXPECT_EQ(archive.reference.str(), "docker.io/team/app:1");
  EXPECT_EQ(ImageLocation::Parse("docker://ghcr.io/a/b:1").reference.str(), "ghcr.io/a/b:1");
  EXPECT_EQ(ImageLocation::Parse("ghcr.io/a/b:1").kind, ImageLocation::Kind::kRegistry);
  EXPECT_THROW(ImageLocation::Parse("oci:"), Error);
  EXPECT_THROW(ImageLocation::Parse("oci:d:-x"), Error);
}

}  // namespace
}  // namespace berth::oci
