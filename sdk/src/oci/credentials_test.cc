#include "berth/oci/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth/util/redact.h"

namespace berth::oci {
namespace {
namespace fs = std::filesystem;

// Points DOCKER_CONFIG and friends at a private directory for one test.
class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"DOCKER_CONFIG", "DOCKER_AUTH_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "PATH"}) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
    }
    setenv("DOCKER_CONFIG", (dir_.path() / "docker").c_str(), 1);
    unsetenv("DOCKER_AUTH_CONFIG");
    setenv("REGISTRY_AUTH_FILE", (dir_.path() / "auth.json").c_str(), 1);
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }
  void WriteConfig(const nlohmann::json& config) { WriteFileAtomic(dir_.path() / "docker" / "config.json", config.dump(), 0600); }

  TempDir dir_{"berth-credentials-test"};
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(CredentialsTest, AuthsMatchByHostWhateverTheKeyShape) {
  WriteConfig({{"auths",
                {{"https://index.docker.io/v1/", {{"auth", Base64Encode("hubuser:hubpass")}}},
                 {"http://legacy.example:5000/v1/", {{"auth", Base64Encode("legacy:pw:with:colons")}}},
                 {"tokens.example", {{"auth", Base64Encode("me:")}, {"identitytoken", "refresh-abc"}}},
                 {"bearer.example", {{"registrytoken", "bearer-xyz"}}}}}});
  CredentialStore store;
  Credential hub = store.Lookup("docker.io");
  EXPECT_EQ(hub.kind, Credential::Kind::kBasic);
  EXPECT_EQ(hub.username, "hubuser");
  EXPECT_EQ(hub.secret.Reveal(), "hubpass");
  EXPECT_EQ(store.Lookup("registry-1.docker.io").username, "hubuser");
  Credential legacy = store.Lookup("legacy.example:5000");
  EXPECT_EQ(legacy.username, "legacy");
  EXPECT_EQ(legacy.secret.Reveal(), "pw:with:colons");
  Credential identity = store.Lookup("tokens.example");
  EXPECT_EQ(identity.kind, Credential::Kind::kIdentityToken);
  EXPECT_EQ(identity.secret.Reveal(), "refresh-abc");
  EXPECT_EQ(store.Lookup("bearer.example").kind, Credential::Kind::kBearer);
  EXPECT_EQ(store.Lookup("other.example").kind, Credential::Kind::kAnonymous);
}

TEST_F(CredentialsTest, InlineConfigFirstThenDockerThenContainersAuthFile) {
  WriteConfig({{"auths", {{"a.example", {{"auth", Base64Encode("docker:1")}}}}}});
  WriteFileAtomic(dir_.path() / "auth.json",
                  nlohmann::json{{"auths", {{"a.example", {{"auth", Base64Encode("podman:1")}}}, {"b.example/ns", {{"auth", Base64Encode("podman:2")}}}}}}.dump(),
                  0600);
  CredentialStore store;
  EXPECT_EQ(store.Lookup("a.example").username, "docker");
  EXPECT_EQ(store.Lookup("b.example").username, "podman");
  setenv("DOCKER_AUTH_CONFIG", nlohmann::json{{"auths", {{"a.example", {{"auth", Base64Encode("inline:1")}}}}}}.dump().c_str(), 1);
  EXPECT_EQ(CredentialStore().Lookup("a.example").username, "inline");
  setenv("DOCKER_AUTH_CONFIG", "not json", 1);
  EXPECT_THROW(CredentialStore().Lookup("a.example"), Error);
}

TEST_F(CredentialsTest, LoginWritesAuthsWith0600AndKeepsTheRest) {
  WriteConfig({{"auths", {{"https://keep.example/v1/", {{"auth", Base64Encode("k:k")}}}, {"http://h.example/", {{"auth", Base64Encode("old:old")}}}}},
               {"psFormat", "table"}});
  CredentialStore store;
  EXPECT_EQ(store.Store("h.example", "new", SecretValue("new-pass"), false), (dir_.path() / "docker" / "config.json").string());
  auto config = nlohmann::json::parse(ReadFile(dir_.path() / "docker" / "config.json"));
  EXPECT_EQ(config["psFormat"], "table");
  EXPECT_EQ(config["auths"]["h.example"]["auth"], Base64Encode("new:new-pass"));
  EXPECT_FALSE(config["auths"].contains("http://h.example/"));
  EXPECT_TRUE(config["auths"].contains("https://keep.example/v1/"));
  struct stat info {};
  stat((dir_.path() / "docker" / "config.json").c_str(), &info);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  store.Store("docker.io", "me", SecretValue("refresh-1"), true);
  config = nlohmann::json::parse(ReadFile(dir_.path() / "docker" / "config.json"));
  EXPECT_EQ(config["auths"]["https://index.docker.io/v1/"]["identitytoken"], "refresh-1");
  EXPECT_EQ(store.Lookup("docker.io").kind, Credential::Kind::kIdentityToken);
  EXPECT_TRUE(store.Erase("h.example"));
  EXPECT_FALSE(store.Erase("h.example"));
  EXPECT_EQ(store.Lookup("h.example").kind, Credential::Kind::kAnonymous);
}

// The entry login writes is the one a plugin hands a cluster
// (docker_auth.h), and its value is redacted from the moment it exists.
TEST(DockerAuthTest, EntryIsDockerLoginsFormAndRedacted) {
  nlohmann::json entry = DockerAuthEntry("robot", SecretValue("pw:with-colon-5e1"));
  EXPECT_EQ(entry, nlohmann::json({{"auth", Base64Encode("robot:pw:with-colon-5e1")}}));
  EXPECT_EQ(Redact("sent " + entry["auth"].get<std::string>()).find(entry["auth"].get<std::string>()), std::string::npos);
  EXPECT_EQ(DockerConfigKey("index.docker.io"), "https://index.docker.io/v1/");
  EXPECT_EQ(DockerConfigKey("127.0.0.1:5000"), "127.0.0.1:5000");
}

TEST_F(CredentialsTest, HelpersSpeakTheDockerProtocol) {
  fs::path bin = dir_.path() / "bin";
  // get: server URL on stdin, JSON on stdout; "<token>" means an identity token.
  WriteFileAtomic(bin / "docker-credential-fake",
                  "#!/bin/sh\nread url\ncase \"$1:$url\" in\n"
                  "  get:one.example) echo '{\"ServerURL\":\"one.example\",\"Username\":\"u1\",\"Secret\":\"s1-secret\"}' ;;\n"
                  "  get:two.example) echo '{\"ServerURL\":\"two.example\",\"Username\":\"<token>\",\"Secret\":\"rt-2\"}' ;;\n"
                  "  get:broken.example) echo 'keychain locked'; exit 1 ;;\n"
                  "  *) echo 'credentials not found in native keychain'; exit 1 ;;\n"
                  "esac\n",
                  0755);
  setenv("PATH", (bin.string() + ":/usr/bin:/bin").c_str(), 1);
  WriteConfig({{"credHelpers", {{"one.example", "fake"}, {"two.example", "fake"}, {"broken.example", "fake"}, {"missing.example", "absent"}}},
               {"auths", {{"none.example", {{"auth", Base64Encode("from:auths")}}}}}});
  CredentialStore store;
  Credential one = store.Lookup("one.example");
  EXPECT_EQ(one.kind, Credential::Kind::kBasic);
  EXPECT_EQ(one.username, "u1");
  EXPECT_EQ(one.secret.Reveal(), "s1-secret");
  EXPECT_EQ(one.origin, "docker-credential-fake");
  EXPECT_EQ(store.Lookup("two.example").kind, Credential::Kind::kIdentityToken);
  try {
    store.Lookup("broken.example");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kAuth);
    EXPECT_EQ(std::string(e.what()), "docker-credential-fake get broken.example failed: keychain locked");
  }
  try {
    store.Lookup("missing.example");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("credential helper docker-credential-absent (configured in "), std::string::npos) << e.what();
  }
  EXPECT_EQ(store.Lookup("none.example").username, "from");
}

}  // namespace
}  // namespace berth::oci
