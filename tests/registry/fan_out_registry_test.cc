// Fan-out: one image to several real docker-registry instances in one pass.
// A counting wrapper around the source proves each blob is read once; a
// destination broken through the fault proxy is reported on its own while
// the others complete with verified digests.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "berth/oci/fan_out.h"
#include "berth/util/fs.h"
#include "registry_test_util.h"

namespace berth::testing {
namespace {

// Counts how often each blob is opened for reading.
class CountingSource : public oci::ImageSource {
 public:
  explicit CountingSource(std::unique_ptr<oci::ImageSource> inner) : inner_(std::move(inner)) {}
  std::string Describe() const override { return inner_->Describe(); }
  oci::Manifest TopManifest() override { return inner_->TopManifest(); }
  oci::Manifest ChildManifest(const oci::Descriptor& d) override { return inner_->ChildManifest(d); }
  std::unique_ptr<oci::BlobSource> Blob(const oci::Descriptor& d) override {
    class Counted : public oci::BlobSource {
     public:
      Counted(CountingSource& owner, std::unique_ptr<oci::BlobSource> inner, std::string digest)
          : owner_(owner), inner_(std::move(inner)), digest_(std::move(digest)) {}
      std::unique_ptr<oci::BlobReader> Open() override {
        {
          std::lock_guard<std::mutex> lock(owner_.mutex_);
          ++owner_.opens_[digest_];
        }
        return inner_->Open();
      }

     private:
      CountingSource& owner_;
      std::unique_ptr<oci::BlobSource> inner_;
      std::string digest_;
    };
    return std::make_unique<Counted>(*this, inner_->Blob(d), d.digest.str());
  }
  std::string SmallBlob(const oci::Descriptor& d) override { return inner_->SmallBlob(d); }
  oci::RegistryClient* client() override { return inner_->client(); }
  std::string repository() const override { return inner_->repository(); }

  std::map<std::string, int> opens() {
    std::lock_guard<std::mutex> lock(mutex_);
    return opens_;
  }

 private:
  std::unique_ptr<oci::ImageSource> inner_;
  std::mutex mutex_;
  std::map<std::string, int> opens_;
};

class FanOutRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    layout_ = std::make_unique<TestLayout>(temp_.path() / "src");
    image_ = layout_->AddImage("linux/amd64", {3u << 20, 1u << 20, 200000}, 77);
    layout_->Tag(image_, "v1");
  }
  std::vector<oci::Descriptor> Blobs() {
    auto manifest = oci::Manifest::Parse(layout_->ReadBlob(image_.digest), image_.media_type, "test");
    return manifest.Blobs();
  }
  // Every blob and the manifest are in `host`'s repository, as digests say.
  void ExpectComplete(const std::string& host, const std::string& repository, const std::string& tag) {
    auto client = MakeClient(host, FastSettings(true));
    auto manifest = client->GetManifest("test", repository, tag);
    EXPECT_EQ(manifest.digest, image_.digest) << host;
    for (const auto& blob : Blobs()) {
      // FetchBlob verifies size and digest of what the registry serves.
      uint64_t size = 0;
      client->FetchBlob("test", repository, blob, [&](const char*, size_t n) { size += n; });
      EXPECT_EQ(int64_t(size), blob.size);
    }
  }

  TempDir temp_{"berth-fan-out-test"};
  std::unique_ptr<TestLayout> layout_;
  oci::Descriptor image_;
};

TEST_F(FanOutRegistryTest, EachBlobIsReadOnceAndABrokenDestinationLeavesTheOthersComplete) {
  auto first = StartRegistry("plain");
  auto second = StartRegistry("plain");
  auto third = StartRegistry("plain");
  // Every upload start at the third one answers 503: it fails before it asks for bytes.
  TestPeer broken("fault_proxy.py", {"--upstream", third->host(), "--503-rate", "1", "--drop-rate", "0", "--429-rate", "0", "--methods", "POST"});

  std::map<std::string, std::shared_ptr<oci::RegistryClient>> clients;
  for (const std::string& host : {first->host(), second->host(), broken.host()}) {
    auto settings = FastSettings(true);
    settings.retry.attempts = 2;
    clients[host] = MakeClient(host, settings);
  }
  oci::ClientFactory factory = [&](const oci::Reference& ref) { return clients.at(ref.registry); };
  CountingSource source(oci::OpenImageSource(oci::ImageLocation::Parse("oci:" + layout_->root().string() + ":v1"), factory, "push"));
  std::vector<std::unique_ptr<oci::ImageSink>> sinks;
  std::vector<oci::ImageSink*> pointers;
  for (const std::string& host : {first->host(), broken.host(), second->host()}) {
    sinks.push_back(oci::OpenImageSink(oci::ImageLocation::Parse(host + "/team/app:1.0"), factory, "push"));
    pointers.push_back(sinks.back().get());
  }
  oci::FanOutResult result = oci::CopyImageToMany(source, pointers, {});

  ASSERT_EQ(result.destinations.size(), 3u);
  EXPECT_TRUE(result.destinations[0].ok) << result.destinations[0].error;
  EXPECT_FALSE(result.destinations[1].ok);
  EXPECT_TRUE(result.destinations[2].ok) << result.destinations[2].error;
  EXPECT_EQ(result.destinations[0].copy.blobs_uploaded, 4);
  EXPECT_EQ(result.destinations[2].copy.blobs_uploaded, 4);
  EXPECT_EQ(result.exit_code(), ErrorCode::kFailure);
  const std::string line = result.destinations[1].ErrorLine();
  EXPECT_EQ(line.find("push " + broken.host() + "/team/app: blob upload start"), 0u) << line;
  EXPECT_NE(line.find("503 UNAVAILABLE"), std::string::npos) << line;

  // Each blob was opened exactly once, for both good destinations together.
  auto opens = source.opens();
  ASSERT_EQ(opens.size(), Blobs().size());
  for (const auto& [digest, count] : opens) EXPECT_EQ(count, 1) << digest;
  EXPECT_EQ(result.blobs_read, 4);
  EXPECT_EQ(result.blobs_reread, 0);
  int64_t total = 0;
  for (const auto& blob : Blobs()) total += blob.size;
  EXPECT_EQ(result.bytes_read, total);

  ExpectComplete(first->host(), "team/app", "1.0");
  ExpectComplete(second->host(), "team/app", "1.0");
  // The broken one has no manifest: nothing names blobs it lacks.
  auto direct = MakeClient(third->host(), FastSettings(true));
  EXPECT_FALSE(direct->HeadManifest("test", "team/app", "1.0").has_value());

  // Again: every blob is there, so nothing is read at all.
  CountingSource again(oci::OpenImageSource(oci::ImageLocation::Parse("oci:" + layout_->root().string() + ":v1"), factory, "push"));
  auto second_run = oci::CopyImageToMany(again, {pointers[0], pointers[2]}, {});
  EXPECT_TRUE(second_run.ok());
  EXPECT_EQ(second_run.destinations[0].copy.blobs_skipped, 4);
  EXPECT_TRUE(again.opens().empty());
}

TEST_F(FanOutRegistryTest, DestinationDroppedMidUploadDoesNotStallOrCorruptTheOthers) {
  auto good = StartRegistry("plain");
  auto bad = StartRegistry("plain");
  // Blob PUTs to the bad one are cut after part of their body: mid-stream.
  TestPeer broken("fault_proxy.py", {"--upstream", bad->host(), "--drop-rate", "1", "--503-rate", "0", "--429-rate", "0", "--methods", "PUT", "--match", "/blobs/uploads/"});
  std::map<std::string, std::shared_ptr<oci::RegistryClient>> clients;
  for (const std::string& host : {good->host(), broken.host()}) {
    auto settings = FastSettings(true);
    settings.retry.attempts = 2;
    clients[host] = MakeClient(host, settings);
  }
  oci::ClientFactory factory = [&](const oci::Reference& ref) { return clients.at(ref.registry); };
  CountingSource source(oci::OpenImageSource(oci::ImageLocation::Parse("oci:" + layout_->root().string() + ":v1"), factory, "push"));
  auto to_bad = oci::OpenImageSink(oci::ImageLocation::Parse(broken.host() + "/team/app:1.0"), factory, "push");
  auto to_good = oci::OpenImageSink(oci::ImageLocation::Parse(good->host() + "/team/app:1.0"), factory, "push");
  oci::CopyOptions options;
  options.concurrency = 1;
  oci::FanOutResult result = oci::CopyImageToMany(source, {to_bad.get(), to_good.get()}, options);

  EXPECT_FALSE(result.destinations[0].ok);
  EXPECT_TRUE(result.destinations[1].ok) << result.destinations[1].error;
  EXPECT_NE(result.destinations[0].ErrorLine().find(broken.host()), std::string::npos) << result.destinations[0].ErrorLine();
  ExpectComplete(good->host(), "team/app", "1.0");
  auto direct = MakeClient(bad->host(), FastSettings(true));
  EXPECT_FALSE(direct->HeadManifest("test", "team/app", "1.0").has_value());
  // The fan-out read the first blob once for both; the bad destination's
  // fresh upload session read it once more on its own, then it was dropped.
  EXPECT_EQ(result.blobs_read, 4);
  EXPECT_EQ(result.blobs_reread, 1);
  int opened = 0;
  for (const auto& [digest, count] : source.opens()) opened += count;
  EXPECT_EQ(opened, result.blobs_read + result.blobs_reread);
}

TEST(FanOutErrorLineTest, NamesTheDestinationOnce) {
  oci::DestinationResult result;
  result.destination = "127.0.0.1:5000/team/app:1.0";
  result.error = "push 127.0.0.1:5000/team/app: blob upload sha256:ab… failed: 503";
  EXPECT_EQ(result.ErrorLine(), result.error);
  result.error = "transfer abandoned";
  EXPECT_EQ(result.ErrorLine(), "127.0.0.1:5000/team/app:1.0: transfer abandoned");
  result.destination = "oci:out:v1";
  result.error = "oci:out: cannot write";
  EXPECT_EQ(result.ErrorLine(), "oci:out: cannot write");
}

}  // namespace
}  // namespace berth::testing
