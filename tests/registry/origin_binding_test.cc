// Registry credentials are bound to the registry's origin (scheme, host,
// port): a hostile registry (hostile_registry.py) names a second 127.0.0.1
// port in an upload Location, a tags Link or a blob redirect, and that port
// must receive no credential, teach berth no challenge, and not be trusted
// with the registry's TLS settings.
#include <gtest/gtest.h>

#include <fstream>

#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "registry_test_util.h"

namespace berth::testing {
namespace {

constexpr char kPassword[] = "hostile-test-password-42";
constexpr char kBlob[] = "the bytes of a blob that storage serves\n";

class OriginBindingTest : public ::testing::Test {
 protected:
  void Start(const std::string& trick, bool tls = false, bool foreign_plain = false) {
    std::ofstream(temp_.path() / "blob", std::ios::binary) << kBlob;
    std::vector<std::string> args = {"--trick", trick, "--password", kPassword, "--blob-file", (temp_.path() / "blob").string()};
    if (tls) args.push_back("--tls");
    if (foreign_plain) args.push_back("--foreign-plain");
    peer_ = std::make_unique<TestPeer>("tests/registry/hostile_registry.py", args);
    host_ = peer_->host();
    foreign_ = peer_->ready()["foreign_url"].get<std::string>();
  }
  std::shared_ptr<oci::RegistryClient> Client(oci::RegistrySettings settings) const {
    return MakeClient(host_, std::move(settings), Basic("alice", kPassword));
  }
  // What the foreign origin received: method, path, Authorization.
  nlohmann::json Journal() const { return TestPeer::GetJson(peer_->ready()["journal_url"].get<std::string>())["journal"]; }
  static oci::Descriptor BlobDescriptor() {
    oci::Descriptor blob;
    blob.digest = Digest::Of(kBlob);
    blob.size = int64_t(std::string(kBlob).size());
    return blob;
  }

  TempDir temp_{"berth-origin-test"};
  std::unique_ptr<TestPeer> peer_;
  std::string host_, foreign_;
};

TEST_F(OriginBindingTest, UploadLocationOnAnotherOriginIsRefusedAndGetsNoCredentials) {
  Start("upload-location");
  TestLayout layout(temp_.path() / "src");
  oci::Descriptor image = layout.AddImage("linux/amd64", {1000}, 3);
  layout.Tag(image, "v1");
  Status status = ErrorOf([&] { Copy(Client(FastSettings(true)), "oci:" + layout.root().string() + ":v1", host_ + "/team/app:1"); });
  EXPECT_NE(status.message().find("the upload Location points to " + foreign_ + ", not to the registry's origin http://" + host_),
            std::string::npos)
      << status.message();
  EXPECT_EQ(Journal(), nlohmann::json::array()) << "the foreign origin was contacted";
}

TEST_F(OriginBindingTest, TagsLinkOnAnotherOriginIsRefusedAndGetsNoCredentials) {
  Start("tags-link");
  Status status = ErrorOf([&] { Client(FastSettings(true))->ListTags("tags", "team/app"); });
  EXPECT_EQ(status.message(), "tags " + host_ + "/team/app: tag list failed: the tag list's Link points to " + foreign_ +
                                  ", not to the registry's origin http://" + host_ +
                                  "; refused, so that credentials for " + host_ + " go nowhere else");
  EXPECT_EQ(Journal(), nlohmann::json::array()) << "the foreign origin was contacted";
}

// Storage redirects are how registries serve blobs: followed, without the
// registry's Authorization.
TEST_F(OriginBindingTest, BlobRedirectIsFollowedWithoutCredentials) {
  Start("blob-redirect");
  EXPECT_EQ(Client(FastSettings(true))->FetchSmallBlob("pull", "team/app", BlobDescriptor()), kBlob);
  nlohmann::json journal = Journal();
  ASSERT_EQ(journal.size(), 1u) << journal.dump();
  EXPECT_EQ(journal[0]["method"], "GET");
  EXPECT_EQ(journal[0]["authorization"], "");
}

// The storage host answers 401 with a Bearer realm on itself: berth must not
// take that for the registry's challenge and send the password there.
TEST_F(OriginBindingTest, A401FromARedirectTargetDoesNotTeachTheRegistrysAuth) {
  Start("blob-redirect-401");
  Status status = ErrorOf([&] { Client(FastSettings(true))->FetchSmallBlob("pull", "team/app", BlobDescriptor()); });
  EXPECT_EQ(status.code(), ErrorCode::kAuth);
  EXPECT_NE(status.message().find("401 UNAUTHORIZED (storage wants a token) from " + foreign_ + ", where the registry redirected"),
            std::string::npos)
      << status.message();
  for (const auto& entry : Journal()) {
    EXPECT_TRUE(entry["path"].get<std::string>().starts_with("/storage/")) << entry.dump();
    EXPECT_EQ(entry["authorization"], "") << entry.dump();
  }
}

// TLS verification skipped for the registry (--insecure-registry) is not
// skipped for the host it redirects to: that host gets its own (default,
// verifying) settings, so its unknown certificate is refused.
TEST_F(OriginBindingTest, TlsSettingsOfTheRegistryAreNotCarriedToARedirectTarget) {
  Start("blob-redirect", /*tls=*/true);
  oci::RegistrySettings settings = FastSettings(false);
  settings.tls.insecure_skip_verify = true;
  Status status = ErrorOf([&] { Client(settings)->FetchSmallBlob("pull", "team/app", BlobDescriptor()); });
  EXPECT_NE(status.message().find("blob download"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("certificate"), std::string::npos) << status.message();
}

// https -> http is never followed or used: not as a redirect, not as a Link.
TEST_F(OriginBindingTest, ADowngradeFromHttpsToHttpIsRefused) {
  Start("blob-redirect", /*tls=*/true, /*foreign_plain=*/true);
  oci::RegistrySettings settings = FastSettings(false);
  settings.tls.ca_file = peer_->ready()["registry_ca_file"].get<std::string>();
  Status status = ErrorOf([&] { Client(settings)->FetchSmallBlob("pull", "team/app", BlobDescriptor()); });
  EXPECT_NE(status.message().find("refusing a redirect from https down to http (" + foreign_ + ")"), std::string::npos)
      << status.message();
  EXPECT_EQ(Journal(), nlohmann::json::array()) << "the plain-HTTP origin was contacted";
}

TEST_F(OriginBindingTest, ALinkDownToHttpIsRefusedAsADowngrade) {
  Start("tags-link", /*tls=*/true, /*foreign_plain=*/true);
  oci::RegistrySettings settings = FastSettings(false);
  settings.tls.ca_file = peer_->ready()["registry_ca_file"].get<std::string>();
  Status status = ErrorOf([&] { Client(settings)->ListTags("tags", "team/app"); });
  EXPECT_NE(status.message().find("points to " + foreign_ + ", not to the registry's origin https://" + host_ +
                                  " (a downgrade from https to http)"),
            std::string::npos)
      << status.message();
  EXPECT_EQ(Journal(), nlohmann::json::array()) << "the plain-HTTP origin was contacted";
}

}  // namespace
}  // namespace berth::testing
