#include "secret_files.h"

#include <gtest/gtest.h>

#include "berth/util/fs.h"

namespace berth::builders {
namespace {
namespace fs = std::filesystem;

class SecretFilesTest : public ::testing::Test {
 protected:
  std::optional<std::string> KindOf(const std::string& name, const std::string& content = "x\n") {
    WriteFileAtomic(temp_.path() / name, content, 0600);
    return SecretKind(temp_.path() / name);
  }
  TempDir temp_{"secret-files"};
};

TEST_F(SecretFilesTest, EnvironmentFilesButNotTheirTemplates) {
  EXPECT_EQ(KindOf(".env"), "an environment file");
  EXPECT_EQ(KindOf(".env.local"), "an environment file");
  EXPECT_EQ(KindOf(".env.production"), "an environment file");
  EXPECT_EQ(KindOf(".env.example"), std::nullopt);
  EXPECT_EQ(KindOf(".env.sample"), std::nullopt);
  EXPECT_EQ(KindOf(".env.template"), std::nullopt);
  EXPECT_EQ(KindOf(".environment"), std::nullopt);
  EXPECT_EQ(KindOf("env.js"), std::nullopt);
}

TEST_F(SecretFilesTest, KeysByName) {
  EXPECT_EQ(KindOf("cosign.key"), "a key file");
  EXPECT_EQ(KindOf("tls.key"), "a key file");
  EXPECT_EQ(KindOf(".asap-config"), "an ASAP private key");
  EXPECT_EQ(KindOf("id_rsa"), "an SSH private key");
  EXPECT_EQ(KindOf("id_ed25519"), "an SSH private key");
  EXPECT_EQ(KindOf("id_ed25519.pub"), std::nullopt);
  EXPECT_EQ(KindOf("keyboard.js"), std::nullopt);
  EXPECT_EQ(KindOf("index.html"), std::nullopt);
}

TEST_F(SecretFilesTest, PemAndIdFilesByContent) {
  EXPECT_EQ(KindOf("server.pem", "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n"), std::nullopt);
  EXPECT_EQ(KindOf("bundle.pem", "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n"
                                 "-----BEGIN RSA PRIVATE KEY-----\nMII\n-----END RSA PRIVATE KEY-----\n"),
            "a PEM private key");
  EXPECT_EQ(KindOf("tls.pem", "-----BEGIN PRIVATE KEY-----\nMC4\n-----END PRIVATE KEY-----\n"), "a PEM private key");
  EXPECT_EQ(KindOf("id_deploy", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n"), "a PEM private key");
  EXPECT_EQ(KindOf("id_generator.go", "package id\n"), std::nullopt);
  // A public key is not refused, whatever its name says.
  EXPECT_EQ(KindOf("id_deploy.pub", "-----BEGIN PRIVATE KEY-----\n"), std::nullopt);
}

}  // namespace
}  // namespace berth::builders
