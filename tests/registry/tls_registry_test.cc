// docker-registry over TLS (a CA the peer made) with htpasswd Basic auth.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "registry_test_util.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

class TlsRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = StartRegistry("tls-basic");
    host_ = registry_->host();
    password_ = registry_->ready()["users"]["alice"].get<std::string>();
    layout_ = std::make_unique<TestLayout>(temp_.path() / "src");
    image_ = layout_->AddImage("linux/amd64", {30000, 40000}, 21);
    layout_->Tag(image_, "v1");
  }
  oci::RegistrySettings WithCa() const {
    oci::RegistrySettings settings = FastSettings(false);
    settings.tls.ca_file = registry_->ready()["ca_file"].get<std::string>();
    return settings;
  }
  std::string Src() const { return "oci:" + layout_->root().string() + ":v1"; }

  TempDir temp_{"berth-tls-test"};
  std::unique_ptr<TestPeer> registry_;
  std::string host_, password_;
  std::unique_ptr<TestLayout> layout_;
  oci::Descriptor image_;
};

TEST_F(TlsRegistryTest, PushPullTagDeleteWithCaAndBasicAuth) {
  auto client = MakeClient(host_, WithCa(), Basic("alice", password_));
  auto pushed = Copy(client, Src(), host_ + "/secure/app:1");
  EXPECT_EQ(pushed.top.digest, image_.digest);
  auto copied = Copy(client, host_ + "/secure/app:1", host_ + "/secure/copy:1");
  EXPECT_EQ(copied.blobs_mounted, 3);
  client->PutManifest("tag", "secure/app", "2", client->GetManifest("tag", "secure/app", "1"));
  auto tags = client->ListTags("tags", "secure/app");
  std::sort(tags.begin(), tags.end());
  EXPECT_EQ(tags, (std::vector<std::string>{"1", "2"}));
  fs::path out = temp_.path() / "out";
  Copy(client, host_ + "/secure/app:2", "oci:" + out.string());
  EXPECT_EQ(LayoutBlobs(out), LayoutBlobs(layout_->root()));
  client->DeleteManifest("delete", "secure/app", image_.digest);
  EXPECT_FALSE(client->HeadManifest("test", "secure/app", "1"));
}

TEST_F(TlsRegistryTest, WrongPasswordIsRefusedWithoutShowingIt) {
  auto client = MakeClient(host_, WithCa(), Basic("alice", "not-the-password-123"));
  Status status = ErrorOf([&] { Copy(client, Src(), host_ + "/secure/app:1"); });
  EXPECT_EQ(status.code(), ErrorCode::kAuth);
  EXPECT_TRUE(status.message().starts_with("copy " + host_ + "/secure/app: ")) << status.message();
  EXPECT_NE(status.message().find("failed: 401 Unauthorized (check the credentials: berth login " + host_ + ")"), std::string::npos)
      << status.message();
  EXPECT_EQ(status.message().find("not-the-password-123"), std::string::npos);

  Status login = ErrorOf([&] {
    oci::Credential credential;
    credential.kind = oci::Credential::Kind::kBasic;
    credential.username = "alice";
    credential.secret = SecretValue("not-the-password-123");
    client->Login(credential);
  });
  EXPECT_EQ(login.code(), ErrorCode::kAuth);
  EXPECT_TRUE(login.message().starts_with("login " + host_ + ": wrong username or password: 401")) << login.message();
}

TEST_F(TlsRegistryTest, TlsIsVerifiedUnlessSkippedForThisRegistry) {
  // Without the CA: the server certificate does not verify.
  auto untrusting = MakeClient(host_, FastSettings(false), Basic("alice", password_));
  Status status = ErrorOf([&] { untrusting->GetManifest("pull", "secure/app", "1"); });
  EXPECT_EQ(status.code(), ErrorCode::kFailure);
  EXPECT_NE(status.message().find("certificate"), std::string::npos) << status.message();

  oci::RegistrySettings skip = FastSettings(false);
  skip.tls.insecure_skip_verify = true;
  auto skipping = MakeClient(host_, skip, Basic("alice", password_));
  EXPECT_EQ(Copy(skipping, Src(), host_ + "/secure/skip:1").top.digest, image_.digest);

  // Plain HTTP to a TLS port fails clearly rather than sending credentials.
  auto plain = MakeClient(host_, FastSettings(true), Basic("alice", password_));
  EXPECT_FALSE(Capture([&] { plain->GetManifest("pull", "secure/skip", "1"); }).ok());
}

TEST_F(TlsRegistryTest, RegistriesYamlSettingsApplyToTheNamedHostOnly) {
  fs::path file = temp_.path() / "registries.yaml";
  WriteFileAtomic(file, "registries:\n  \"" + host_ + "\":\n    ca-file: " + registry_->ready()["ca_file"].get<std::string>() +
                            "\n    concurrency: 2\n    chunk-size: 1MiB\n  \"*.example.test\":\n    insecure-skip-verify: true\n");
  oci::RegistryConfig config = oci::RegistryConfig::Load(file);
  oci::RegistrySettings settings = config.For(host_);
  EXPECT_EQ(settings.tls.ca_file, registry_->ready()["ca_file"].get<std::string>());
  EXPECT_EQ(settings.concurrency, 2);
  EXPECT_EQ(settings.chunk_size, 1 << 20);
  EXPECT_FALSE(settings.tls.insecure_skip_verify);
  EXPECT_TRUE(config.For("a.example.test").tls.insecure_skip_verify);
  EXPECT_FALSE(config.For("a.b.example.test").tls.insecure_skip_verify);
  EXPECT_FALSE(config.For("127.0.0.1:1").tls.insecure_skip_verify);
  settings.retry.initial_backoff = std::chrono::milliseconds(20);
  auto client = MakeClient(host_, settings, Basic("alice", password_));
  EXPECT_EQ(Copy(client, Src(), host_ + "/secure/yaml:1").blobs_uploaded, 3);

  WriteFileAtomic(file, "registries:\n  h:\n    plain-htttp: true\n");
  Status bad = ErrorOf([&] { oci::RegistryConfig::Load(file); });
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.message(), file.string() + ": registries.h.plain-htttp: unknown setting (did you mean 'plain-http'?) (see docs/registry.md)");
}

// A registry that requires a client certificate (http.tls.clientcas).
TEST(MutualTlsRegistryTest, ClientCertificateFromTheSettingsIsPresented) {
  TestPeer registry("tests/registry/mtls_registry.py", {});
  const std::string host = registry.host();
  TempDir temp("berth-mtls-test");
  TestLayout layout(temp.path() / "src");
  auto image = layout.AddImage("linux/amd64", {20000}, 71);
  layout.Tag(image, "v1");
  oci::RegistrySettings settings = FastSettings(false);
  settings.tls.ca_file = registry.ready()["ca_file"].get<std::string>();
  auto without = MakeClient(host, settings);
  Status refused = ErrorOf([&] { without->ListTags("tags", "team/app"); });
  EXPECT_EQ(refused.code(), ErrorCode::kFailure);
  settings.tls.client_cert = registry.ready()["client_cert"].get<std::string>();
  settings.tls.client_key = registry.ready()["client_key"].get<std::string>();
  auto with = MakeClient(host, settings);
  EXPECT_EQ(Copy(with, "oci:" + layout.root().string() + ":v1", host + "/team/app:1").top.digest, image.digest);
  EXPECT_EQ(with->ListTags("tags", "team/app"), std::vector<std::string>{"1"});
}

}  // namespace
}  // namespace berth::testing
