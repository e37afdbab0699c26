// The path other plugins and commands take to an ASAP token: the host's
// Services::MintToken finds the credential provider in the manifests, loads
// only that plugin (the real asap plugin as built), and mints.
#include <gtest/gtest.h>

#include "berth/credential_provider.h"
#include "berth/util/fs.h"
#include "berth/util/jwt.h"
#include "core/plugins/plugin_manager.h"

namespace berth::host {
namespace {

class CredentialServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.path() / ".asap-config";
    nlohmann::json config = {{"issuer", "micros/caller"}, {"kid", "micros/caller/k1"}, {"privateKey", key_.Pkcs8Pem().Reveal()}};
    WriteFileAtomic(config_, config.dump(), 0600);
  }
  DiscoveredPlugin* Plugin(const std::string& name) { return manager_.Find(name); }

  TempDir dir_;
  std::filesystem::path config_;
  jwt::PrivateKey key_ = jwt::PrivateKey::GenerateRsa(2048);
  // No cache of library hashes: a test writes nothing into the user's home.
  PluginManager manager_{{{BERTH_PLUGIN_BUILD_DIR, PluginSource::kBundled}}, std::filesystem::path()};
};

TEST_F(CredentialServicesTest, MintTokenLoadsOnlyTheProvidingPlugin) {
  Services& services = manager_;
  TokenRequest request{.audience = {"registry"}, .lifetime_seconds = 300};
  Result<IssuedToken> issued = services.MintToken("asap", {{"config", config_.string()}}, request);
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  EXPECT_EQ(issued.value().scheme, "Bearer");
  EXPECT_EQ(issued.value().key_id, "micros/caller/k1");

  jwt::DecodedToken decoded = jwt::Decode(issued.value().value.Reveal());
  jwt::VerifySignature(decoded, key_.Public());
  EXPECT_EQ(decoded.header["kid"], "micros/caller/k1");
  EXPECT_EQ(decoded.claims["iss"], "micros/caller");
  EXPECT_EQ(decoded.claims["aud"], "registry");
  EXPECT_EQ(decoded.claims["exp"], issued.value().expires_at);
  EXPECT_EQ(decoded.claims["exp"].get<int64_t>() - decoded.claims["iat"].get<int64_t>(), 300);

  ASSERT_NE(Plugin("asap"), nullptr);
  EXPECT_TRUE(Plugin("asap")->checked);
  ASSERT_NE(Plugin("file-secrets"), nullptr);
  EXPECT_FALSE(Plugin("file-secrets")->checked) << "a plugin that provides no credential must not be loaded";
}

TEST_F(CredentialServicesTest, ProviderErrorsComeBackAsStatuses) {
  Services& services = manager_;
  Result<IssuedToken> over = services.MintToken("asap", {{"config", config_.string()}}, {.audience = {"x"}, .lifetime_seconds = 7200});
  EXPECT_EQ(over.status().code(), ErrorCode::kUsage);
  EXPECT_EQ(over.status().message(), "asap: token: a lifetime of 7200 s is over the ASAP maximum of 3600 s (verifiers reject such tokens)");

  Result<IssuedToken> missing = services.MintToken("asap", {{"config", (dir_.path() / "none").string()}}, {.audience = {"x"}});
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidInput);

  Result<IssuedToken> unknown = services.MintToken("gcp-service-account", nlohmann::json::object(), {});
  EXPECT_EQ(unknown.status().code(), ErrorCode::kPlugin);
  EXPECT_EQ(unknown.status().message(), "no installed plugin provides credential 'gcp-service-account' (see berth plugin list)");

  auto provider = services.OpenCredentialProvider("asap", {{"config", config_.string()}});
  ASSERT_TRUE(provider.ok()) << provider.status().message();
  auto first = provider.value()->Token({.audience = {"x"}});
  auto second = provider.value()->Token({.audience = {"x"}});
  EXPECT_NE(jwt::Decode(first.value().value.Reveal()).claims["jti"], jwt::Decode(second.value().value.Reveal()).claims["jti"]);
}

}  // namespace
}  // namespace berth::host
