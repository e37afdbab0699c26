// docker-registry with token auth; the token server is the peers' stand-in
// for a hosted token service (the real registry checks every token it signs).
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "registry_test_util.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

class TokenRegistryTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args = {}) {
    registry_ = StartRegistry("token", std::move(args));
    host_ = registry_->host();
    layout_ = std::make_unique<TestLayout>(temp_.path() / "src");
    image_ = layout_->AddImage("linux/amd64", {30000, 40000, 50000}, 31);
    layout_->Tag(image_, "v1");
  }
  std::string User(const std::string& name) const { return registry_->ready()["users"][name].get<std::string>(); }
  nlohmann::json Stats() const { return TestPeer::GetJson(registry_->ready()["token_stats_url"].get<std::string>()); }
  std::string Src() const { return "oci:" + layout_->root().string() + ":v1"; }

  TempDir temp_{"berth-token-test"};
  std::unique_ptr<TestPeer> registry_;
  std::string host_;
  std::unique_ptr<TestLayout> layout_;
  oci::Descriptor image_;
};

TEST_F(TokenRegistryTest, PushCopyTagDeleteWithCachedTokensPerScope) {
  Start();
  auto client = MakeClient(host_, FastSettings(true), Basic("alice", User("alice")));
  auto pushed = Copy(client, Src(), host_ + "/team/app:1");
  EXPECT_EQ(pushed.blobs_uploaded, 4);
  // One token for the push scope, reused by every request of the push.
  EXPECT_EQ(Stats()["token_requests"], 1) << Stats().dump();
  auto copied = Copy(client, host_ + "/team/app:1", host_ + "/team/other:1");
  EXPECT_EQ(copied.blobs_mounted, 4);
  client->PutManifest("tag", "team/app", "2", client->GetManifest("tag", "team/app", "1"));
  auto tags = client->ListTags("tags", "team/app");
  std::sort(tags.begin(), tags.end());
  EXPECT_EQ(tags, (std::vector<std::string>{"1", "2"}));
  client->DeleteManifest("delete", "team/app", image_.digest);
  EXPECT_FALSE(client->HeadManifest("test", "team/app", "2"));
  auto stats = Stats();
  EXPECT_LE(stats["token_requests"].get<int>(), 6) << stats.dump();
  EXPECT_EQ(stats["failed_auth"], 0);
  EXPECT_EQ(stats["by_grant"]["basic"], stats["token_requests"]);
}

TEST_F(TokenRegistryTest, ReaderCannotPushInsufficientScope) {
  Start();
  auto alice = MakeClient(host_, FastSettings(true), Basic("alice", User("alice")));
  Copy(alice, Src(), host_ + "/team/app:1");
  auto reader = MakeClient(host_, FastSettings(true), Basic("reader", User("reader")));
  fs::path out = temp_.path() / "out";
  EXPECT_EQ(Copy(reader, host_ + "/team/app:1", "oci:" + out.string()).top.digest, image_.digest);
  Status status = ErrorOf([&] { Copy(reader, Src(), host_ + "/team/readers-push:1"); });
  EXPECT_EQ(status.code(), ErrorCode::kAuth);
  EXPECT_TRUE(status.message().starts_with("copy " + host_ + "/team/readers-push: ")) << status.message();
  EXPECT_NE(status.message().find("failed: 401 UNAUTHORIZED (authentication required) (insufficient scope: the credentials do not grant "
                                  "repository:team/readers-push:pull,push)"),
            std::string::npos)
      << status.message();
  EXPECT_EQ(status.message().find(User("reader")), std::string::npos);
  Status del = ErrorOf([&] { reader->DeleteManifest("delete", "team/app", image_.digest); });
  EXPECT_EQ(del.code(), ErrorCode::kAuth);
}

// distribution answers an anonymous push with insufficient_scope as well;
// the cause to name is that there are no credentials at all.
TEST_F(TokenRegistryTest, NoCredentialsAtAllSaysSoAndNamesTheLogin) {
  Start();
  auto anonymous = MakeClient(host_, FastSettings(true));
  Status status = ErrorOf([&] { Copy(anonymous, Src(), host_ + "/team/app:1"); });
  EXPECT_EQ(status.code(), ErrorCode::kAuth);
  EXPECT_NE(status.message().find("(no credentials for " + host_ + ": berth login " + host_ + ")"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find("insufficient scope"), std::string::npos) << status.message();
}

TEST_F(TokenRegistryTest, WrongPasswordIsRefusedByTheTokenService) {
  Start();
  auto client = MakeClient(host_, FastSettings(true), Basic("alice", "wrong-password-456"));
  Status status = ErrorOf([&] { Copy(client, Src(), host_ + "/team/app:1"); });
  EXPECT_EQ(status.code(), ErrorCode::kAuth);
  EXPECT_NE(status.message().find("token service 127.0.0.1:"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("refused the credentials from the test: 401 UNAUTHORIZED"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find("wrong-password-456"), std::string::npos);
}

TEST_F(TokenRegistryTest, LoginGetsARefreshTokenUsedThroughTheOAuthForm) {
  Start();
  auto login = MakeClient(host_, FastSettings(true));
  oci::Credential credential;
  credential.kind = oci::Credential::Kind::kBasic;
  credential.username = "alice";
  credential.secret = SecretValue(User("alice"));
  auto refresh = login->Login(credential);
  ASSERT_TRUE(refresh);
  std::string token = refresh->Reveal();
  auto client = MakeClient(host_, FastSettings(true), [token](const std::string&, const std::vector<std::string>&) {
    oci::Credential identity;
    identity.kind = oci::Credential::Kind::kIdentityToken;
    identity.username = "alice";
    identity.secret = SecretValue(token);
    return identity;
  });
  EXPECT_EQ(Copy(client, Src(), host_ + "/team/app:1").top.digest, image_.digest);
  auto stats = Stats();
  EXPECT_GE(stats["by_grant"]["refresh_token"].get<int>(), 1) << stats.dump();
  EXPECT_EQ(stats["post_requests"].get<int>(), stats["by_grant"]["refresh_token"].get<int>()) << stats.dump();
}

TEST_F(TokenRegistryTest, OAuthPostFallsBackToGetWhenTheServiceHasNoForm) {
  Start({"--no-oauth-post", "--public-repos", "pub/*"});
  auto alice = MakeClient(host_, FastSettings(true), Basic("alice", User("alice")));
  Copy(alice, Src(), host_ + "/pub/app:1");
  std::string refresh = registry_->ready()["refresh_tokens"]["alice"].get<std::string>();
  auto client = MakeClient(host_, FastSettings(true), [refresh](const std::string&, const std::vector<std::string>&) {
    oci::Credential identity;
    identity.kind = oci::Credential::Kind::kIdentityToken;
    identity.secret = SecretValue(refresh);
    return identity;
  });
  fs::path out = temp_.path() / "out";
  EXPECT_EQ(Copy(client, host_ + "/pub/app:1", "oci:" + out.string()).top.digest, image_.digest);
  EXPECT_GE(Stats()["by_grant"]["anonymous"].get<int>(), 1);
}

TEST_F(TokenRegistryTest, AnonymousPullOfAPublicRepositoryOnly) {
  Start({"--public-repos", "pub/*"});
  auto alice = MakeClient(host_, FastSettings(true), Basic("alice", User("alice")));
  Copy(alice, Src(), host_ + "/pub/app:1");
  Copy(alice, Src(), host_ + "/private/app:1");
  auto anonymous = MakeClient(host_, FastSettings(true));
  fs::path out = temp_.path() / "out";
  EXPECT_EQ(Copy(anonymous, host_ + "/pub/app:1", "oci:" + out.string()).top.digest, image_.digest);
  Status status = ErrorOf([&] { anonymous->GetManifest("pull", "private/app", "1"); });
  EXPECT_EQ(status.code(), ErrorCode::kAuth) << status.message();
}

}  // namespace
}  // namespace berth::testing
