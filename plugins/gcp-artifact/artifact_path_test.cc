#include "artifact_path.h"

#include <gtest/gtest.h>

#include "artifact_registry.h"
#include "berth/error.h"

namespace berth::gcp {
namespace {

std::string Refusal(const std::string& host, const std::string& path, const std::string& location = "", bool image = true) {
  try {
    ParseArtifactPath(host, path, location, image);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    return error.what();
  }
  return "accepted";
}

TEST(ArtifactPathTest, SplitsLocationProjectRepositoryAndImage) {
  ArtifactPath path = ParseArtifactPath("europe-west1-docker.pkg.dev", "my-project/apps/team/web", "", true);
  EXPECT_EQ(path.location, "europe-west1");
  EXPECT_EQ(path.project, "my-project");
  EXPECT_EQ(path.repository, "apps");
  EXPECT_EQ(path.image, "team/web");
  EXPECT_EQ(path.RepositoryResource(), "projects/my-project/locations/europe-west1/repositories/apps");

  ArtifactPath domain = ParseArtifactPath("us-docker.pkg.dev", "example.com/my-project/apps/web", "", true);
  EXPECT_EQ(domain.project, "example.com:my-project");
  EXPECT_EQ(domain.image, "web");

  ArtifactPath configured = ParseArtifactPath("127.0.0.1:5000", "my-project/apps/web", "us-west1", true);
  EXPECT_EQ(configured.location, "us-west1");
  EXPECT_EQ(ParseArtifactPath("us-docker.pkg.dev", "my-project/apps", "", false).image, "");
}

TEST(ArtifactPathTest, RefusesWhatArtifactRegistryWouldWithTheShape) {
  EXPECT_EQ(Refusal("us-docker.pkg.dev", "my-project/apps"),
            "gcp-artifact: 'us-docker.pkg.dev/my-project/apps' is not an Artifact Registry image: the image name is missing "
            "(expected LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE)");
  EXPECT_EQ(Refusal("us-docker.pkg.dev", "web"),
            "gcp-artifact: 'us-docker.pkg.dev/web' is not an Artifact Registry image: 'web' is not a project id (6 to 30 "
            "lowercase letters, digits and hyphens, starting with a letter) (expected LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE)");
  EXPECT_EQ(Refusal("us-docker.pkg.dev", "my-project"),
            "gcp-artifact: 'us-docker.pkg.dev/my-project' is not an Artifact Registry image: the repository is missing "
            "(expected LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE)");
  EXPECT_NE(Refusal("us-docker.pkg.dev", "my-project/9apps/web").find("'9apps' is not a repository id"), std::string::npos);
  EXPECT_NE(Refusal("us-docker.pkg.dev", "my-project-/apps/web").find("is not a project id"), std::string::npos);
  EXPECT_NE(Refusal("127.0.0.1:5000", "my-project/apps/web").find("no location is configured"), std::string::npos);
  EXPECT_NE(Refusal("us-docker.pkg.dev", "my-project/apps/web", "", false).find("a repository has no image part"), std::string::npos);
  EXPECT_EQ(LocationOfHost("docker.pkg.dev"), std::nullopt);
  EXPECT_EQ(LocationOfHost("asia-docker.pkg.dev"), "asia");
}

TEST(ArtifactPathTest, TheRegistryValidatesReferencesThroughIt) {
  GcpSettings settings;
  settings.location = "us";
  ArtifactRegistry registry(std::make_shared<CredentialChain>(settings));
  EXPECT_TRUE(registry.ValidateReference(oci::Reference::Parse("us-docker.pkg.dev/my-project/apps/web:1.0")).ok());
  EXPECT_TRUE(registry.ValidateReference(oci::Reference::Parse("127.0.0.1:5000/my-project/apps/web:1.0")).ok());
  Status refused = registry.ValidateReference(oci::Reference::Parse("us-docker.pkg.dev/my-project/web:1.0"));
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(refused.message().find("the image name is missing"), std::string::npos);
}

}  // namespace
}  // namespace berth::gcp
