#include "artifactory_registry.h"

#include <gtest/gtest.h>

#include "berth/util/fs.h"

namespace berth::micros {
namespace {

TEST(ArtifactoryRegistryTest, CredentialsAreBasicFromTheEnvironmentElseGeneric) {
  TempDir dir("artifactory-registry-test");
  std::map<std::string, std::string> env = {{"ARTIFACTORY_USER", "jdoe"}, {"ARTIFACTORY_TOKEN", "identity-token-1"}};
  CredentialSources sources;
  sources.getenv = [&](const std::string& name) -> std::optional<std::string> {
    return env.count(name) ? std::optional<std::string>(env[name]) : std::nullopt;
  };
  sources.docker_config = dir.path() / "config.json";
  ArtifactoryRegistry registry(sources);
  auto credential = registry.GetCredential("docker.atl-paas.net", {"repository:team/app:pull,push"}).value();
  ASSERT_TRUE(credential);
  EXPECT_EQ(credential->kind, oci::Credential::Kind::kBasic);
  EXPECT_EQ(credential->username, "jdoe");
  EXPECT_EQ(credential->secret.Reveal(), "identity-token-1");
  EXPECT_EQ(credential->origin, "environment (ARTIFACTORY_USER, ARTIFACTORY_TOKEN)");

  env.clear();
  EXPECT_EQ(registry.GetCredential("docker.atl-paas.net", {}).value(), std::nullopt);
  env = {{"ARTIFACTORY_USER", "jdoe"}};
  auto half = registry.GetCredential("docker.atl-paas.net", {});
  EXPECT_EQ(half.status().code(), ErrorCode::kAuth);
}

TEST(ArtifactoryRegistryTest, AppTagsNeedAVersion) {
  ArtifactoryRegistry registry(CredentialSources{});
  EXPECT_TRUE(registry.ValidateReference(oci::Reference::Parse("docker.atl-paas.net/team/app:app-1.4.2")).ok());
  EXPECT_TRUE(registry.ValidateReference(oci::Reference::Parse("docker.atl-paas.net/team/app:sha-abc1234")).ok());
  EXPECT_TRUE(registry.ValidateReference(oci::Reference::Parse("docker.atl-paas.net/team/app@sha256:" + std::string(64, 'a'))).ok());
  Status refused = registry.ValidateReference(oci::Reference::Parse("docker.atl-paas.net/team/app:app-"));
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(refused.message(), "micros: tag 'app-' is in the app-<version> namespace but has no version");
}

}  // namespace
}  // namespace berth::micros
