// The engine through loopback proxies in front of docker-registry: one that
// flips a byte of blob and manifest bodies (only digest checks notice), and
// one that drops connections and answers 503 and 429 + Retry-After at random.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "registry_test_util.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

class ProxyRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = StartRegistry("plain");
    direct_ = MakeClient(registry_->host(), FastSettings(true));
  }
  TempDir temp_{"berth-proxy-test"};
  std::unique_ptr<TestPeer> registry_;
  std::shared_ptr<oci::RegistryClient> direct_;
};

TEST_F(ProxyRegistryTest, TamperedBlobIsRefusedAndNothingLandsInTheLayout) {
  TestLayout layout(temp_.path() / "src");
  auto image = layout.AddImage("linux/amd64", {300000}, 41);
  layout.Tag(image, "v1");
  Copy(direct_, "oci:" + layout.root().string() + ":v1", registry_->host() + "/team/app:1");
  TestPeer proxy("tamper_proxy.py", {"--upstream", registry_->host(), "--tamper", "blob"});
  auto through = MakeClient(proxy.host(), FastSettings(true));
  fs::path out = temp_.path() / "out";
  Status status = ErrorOf([&] { Copy(through, proxy.host() + "/team/app:1", "oci:" + out.string() + ":x"); });
  EXPECT_EQ(status.code(), ErrorCode::kVerification) << status.message();
  EXPECT_NE(status.message().find("blob download sha256:"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("digest mismatch for blob sha256:"), std::string::npos) << status.message();
  // Neither the tampered blob nor a temporary file is left, and no index entry.
  for (const auto& entry : fs::recursive_directory_iterator(out / "blobs")) {
    EXPECT_FALSE(entry.is_regular_file()) << "left behind: " << entry.path();
  }
  EXPECT_FALSE(fs::exists(out / "index.json"));
  EXPECT_GE(TestPeer::GetJson(proxy.ready()["stats_url"].get<std::string>())["tampered"]["blob"].get<int>(), 1);

  // Streamed registry to registry: the tampered bytes never get committed.
  Status copy = ErrorOf([&] {
    auto other = StartRegistry("plain");
    auto to = MakeClient(other->host(), FastSettings(true));
    oci::ClientFactory clients = [&](const oci::Reference& ref) { return ref.registry == proxy.host() ? through : to; };
    auto source = oci::OpenImageSource(oci::ImageLocation::Parse(proxy.host() + "/team/app:1"), clients, "copy");
    auto sink = oci::OpenImageSink(oci::ImageLocation::Parse(other->host() + "/team/app:1"), clients, "copy");
    Status inner = Capture([&] { oci::CopyImage(*source, *sink, {}); });
    EXPECT_FALSE(to->StatBlob("test", "team/app", oci::Manifest::Parse(layout.ReadBlob(image.digest), "", "m").layers[0].digest));
    inner.ThrowIfError();
  });
  EXPECT_EQ(copy.code(), ErrorCode::kVerification) << copy.message();
}

TEST_F(ProxyRegistryTest, TamperedManifestIsRefusedByTagAndByDigest) {
  TestLayout layout(temp_.path() / "src");
  auto image = layout.AddImage("linux/amd64", {1000}, 42);
  layout.Tag(image, "v1");
  Copy(direct_, "oci:" + layout.root().string() + ":v1", registry_->host() + "/team/app:1");
  TestPeer proxy("tamper_proxy.py", {"--upstream", registry_->host(), "--tamper", "manifest"});
  auto through = MakeClient(proxy.host(), FastSettings(true));
  Status by_digest = ErrorOf([&] { through->GetManifest("pull", "team/app", image.digest.str()); });
  EXPECT_EQ(by_digest.code(), ErrorCode::kVerification);
  EXPECT_NE(by_digest.message().find("digest mismatch: asked for " + image.digest.str()), std::string::npos) << by_digest.message();
  Status by_tag = ErrorOf([&] { through->GetManifest("pull", "team/app", "1"); });
  EXPECT_EQ(by_tag.code(), ErrorCode::kVerification);
  EXPECT_NE(by_tag.message().find("digest mismatch: the registry says " + image.digest.str()), std::string::npos) << by_tag.message();
}

TEST_F(ProxyRegistryTest, MultiLayerCopiesSurviveDropsAnd503And429) {
  TestLayout layout(temp_.path() / "src");
  std::vector<size_t> sizes(8, 150000);
  auto image = layout.AddImage("linux/amd64", sizes, 43);
  layout.Tag(image, "v1");
  TestPeer proxy("fault_proxy.py", {"--upstream", registry_->host(), "--seed", "7", "--drop-rate", "0.12", "--503-rate", "0.1",
                                    "--429-rate", "0.06", "--retry-after", "1", "--max-faults", "40",
                                    "--each-kind-first"});  // Every kind at least once, whatever the request order.
  oci::RegistrySettings settings = FastSettings(true);
  settings.retry.attempts = 8;
  auto through = MakeClient(proxy.host(), settings);

  auto pushed = Copy(through, "oci:" + layout.root().string() + ":v1", proxy.host() + "/team/app:1");
  EXPECT_EQ(pushed.top.digest, image.digest);
  fs::path out = temp_.path() / "out";
  auto pulled = Copy(through, proxy.host() + "/team/app:1", "oci:" + out.string() + ":x");
  EXPECT_EQ(pulled.top.digest, image.digest);
  EXPECT_EQ(LayoutBlobs(out), LayoutBlobs(layout.root()));

  // Registry to registry, streamed through the faulty proxy on the source side.
  auto other = StartRegistry("plain");
  auto to = MakeClient(other->host(), FastSettings(true));
  oci::ClientFactory clients = [&](const oci::Reference& ref) { return ref.registry == proxy.host() ? through : to; };
  auto source = oci::OpenImageSource(oci::ImageLocation::Parse(proxy.host() + "/team/app:1"), clients, "copy");
  auto sink = oci::OpenImageSink(oci::ImageLocation::Parse(other->host() + "/team/copy:1"), clients, "copy");
  auto copied = oci::CopyImage(*source, *sink, {});
  EXPECT_EQ(copied.blobs_uploaded, 9);
  fs::path again = temp_.path() / "again";
  Copy(to, other->host() + "/team/copy:1", "oci:" + again.string());
  EXPECT_EQ(LayoutBlobs(again), LayoutBlobs(layout.root()));

  auto stats = TestPeer::GetJson(proxy.ready()["stats_url"].get<std::string>());
  EXPECT_GE(stats["total_faults"].get<int>(), 10) << stats.dump();
  for (const char* kind : {"drop_before", "drop_mid", "status_503", "status_429"}) {
    EXPECT_GE(stats["faults"][kind].get<int>(), 1) << kind << ": " << stats.dump();
  }
}

}  // namespace
}  // namespace berth::testing
