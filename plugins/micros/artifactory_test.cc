#include "artifactory.h"

#include <gtest/gtest.h>

#include <map>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"

namespace berth::micros {
namespace {

TEST(AppTagTest, FollowsTheMicrosConvention) {
  EXPECT_EQ(AppTag("1.4.2"), "app-1.4.2");
  EXPECT_EQ(AppTag("1.4.2-rc.1"), "app-1.4.2-rc.1");
  EXPECT_EQ(AppTag("1.4.2+build.7"), "app-1.4.2_build.7");
  EXPECT_THROW(AppTag(""), Error);
  EXPECT_THROW(AppTag("1.0/evil"), Error);
  EXPECT_THROW(AppTag(std::string(125, '1')), Error);
  EXPECT_EQ(AppTag(std::string(124, '1')).size(), 128u);
  EXPECT_EQ(VersionFromAppTag("app-1.4.2"), "1.4.2");
  EXPECT_EQ(VersionFromAppTag("v1.4.2"), std::nullopt);
  EXPECT_EQ(VersionFromAppTag("app-"), std::nullopt);
}

class CredentialsTest : public ::testing::Test {
 protected:
  CredentialSources Sources() {
    CredentialSources sources;
    sources.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      return it == env_.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    sources.docker_config = dir_.path() / "config.json";
    return sources;
  }
  void WriteConfig(const std::string& json) { WriteFileAtomic(dir_.path() / "config.json", json, 0600); }
  std::string ErrorOf() {
    try {
      FindCredentials("docker.atl-paas.net", Sources());
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kAuth);
      return e.what();
    }
    return "no error";
  }

  TempDir dir_{"micros-credentials-test"};
  std::map<std::string, std::string> env_;
};

TEST_F(CredentialsTest, NoneAnywhere) { EXPECT_EQ(FindCredentials("docker.atl-paas.net", Sources()), std::nullopt); }

TEST_F(CredentialsTest, EnvironmentComesFirst) {
  WriteConfig(R"({"auths": {"docker.atl-paas.net": {"auth": ")" + Base64Encode("config-user:config-token") + R"("}}})");
  env_ = {{"ARTIFACTORY_USER", "jdoe"}, {"ARTIFACTORY_TOKEN", "env-token-123"}};
  auto credentials = FindCredentials("docker.atl-paas.net", Sources());
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->username, "jdoe");
  EXPECT_EQ(credentials->password.Reveal(), "env-token-123");
  EXPECT_EQ(credentials->source, "environment (ARTIFACTORY_USER, ARTIFACTORY_TOKEN)");
}

TEST_F(CredentialsTest, HalfSetEnvironmentIsAnError) {
  env_ = {{"ARTIFACTORY_USER", "jdoe"}};
  EXPECT_EQ(ErrorOf(), "ARTIFACTORY_USER is set but ARTIFACTORY_TOKEN is not (set both: staff id and identity token)");
  env_ = {{"ARTIFACTORY_TOKEN", "tok-secret-1"}};
  EXPECT_EQ(ErrorOf(), "ARTIFACTORY_TOKEN is set but ARTIFACTORY_USER is not (set both: staff id and identity token)");
}

TEST_F(CredentialsTest, DockerConfigAuthInEveryKeyShape) {
  for (const char* key : {"docker.atl-paas.net", "https://docker.atl-paas.net", "https://docker.atl-paas.net/v1/"}) {
    WriteConfig(R"({"auths": {"other.example": {"auth": ")" + Base64Encode("x:y") + R"("}, ")" + key + R"(": {"auth": ")" +
                Base64Encode("jdoe:identity:token:with:colons") + R"("}}})");
    auto credentials = FindCredentials("docker.atl-paas.net", Sources());
    ASSERT_TRUE(credentials) << key;
    EXPECT_EQ(credentials->username, "jdoe");
    EXPECT_EQ(credentials->password.Reveal(), "identity:token:with:colons");
    EXPECT_EQ(credentials->source, (dir_.path() / "config.json").string());
  }
  WriteConfig(R"({"auths": {"docker.atl-paas.net": {"username": "jdoe", "identitytoken": "idt-0001"}}})");
  auto credentials = FindCredentials("docker.atl-paas.net", Sources());
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->password.Reveal(), "idt-0001");
  EXPECT_EQ(FindCredentials("docker.example.com", Sources()), std::nullopt);
}

TEST_F(CredentialsTest, BrokenEntriesNameTheFileButNoValue) {
  WriteConfig(R"({"auths": {"docker.atl-paas.net": {"auth": "bm9jb2xvbg=="}}})");  // "nocolon"
  EXPECT_EQ(ErrorOf(), (dir_.path() / "config.json").string() + ": auths[\"docker.atl-paas.net\"].auth is not base64 of staffid:token");
  WriteConfig(R"({"auths": {"docker.atl-paas.net": {"identitytoken": "idt-secret-value"}}})");
  std::string message = ErrorOf();
  EXPECT_NE(message.find("has a token but no username"), std::string::npos) << message;
  EXPECT_EQ(message.find("idt-secret-value"), std::string::npos);
  WriteConfig(R"({"auths": {"docker.atl-paas.net": {"auth": "c2VjcmV0LXZhbHVl")");  // Truncated JSON.
  EXPECT_EQ(ErrorOf(), (dir_.path() / "config.json").string() + ": not valid JSON");
  // A credential helper is the generic lookup's business.
  WriteConfig(R"({"auths": {"docker.atl-paas.net": {}}, "credsStore": "pass"})");
  EXPECT_EQ(FindCredentials("docker.atl-paas.net", Sources()), std::nullopt);
}

}  // namespace
}  // namespace berth::micros
