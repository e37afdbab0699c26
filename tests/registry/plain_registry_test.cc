// The OCI engine against docker-registry over plain HTTP: round trips, a
// multi-platform index, mounts, skipped blobs, chunked uploads, tags with
// Link pagination, delete, referrers, docker-archive, and skopeo both ways.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "registry_test_util.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

class PlainRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = StartRegistry("plain");
    host_ = registry_->host();
    client_ = MakeClient(host_, FastSettings(true));
  }
  std::string Ref(const std::string& rest) const { return host_ + "/" + rest; }

  TempDir temp_{"berth-registry-test"};
  std::unique_ptr<TestPeer> registry_;
  std::string host_;
  std::shared_ptr<oci::RegistryClient> client_;
};

TEST_F(PlainRegistryTest, PushThenPullIsByteIdenticalAndSecondPushSkipsBlobs) {
  TestLayout layout(temp_.path() / "src");
  auto image = layout.AddImage("linux/amd64", {200000, 3000, 70000}, 1);
  layout.Tag(image, "v1");

  auto pushed = Copy(client_, "oci:" + layout.root().string() + ":v1", Ref("team/app:1.0"));
  EXPECT_EQ(pushed.top.digest, image.digest);
  EXPECT_EQ(pushed.blobs_uploaded, 4);
  EXPECT_EQ(pushed.blobs_skipped, 0);

  auto again = Copy(client_, "oci:" + layout.root().string() + ":v1", Ref("team/app:1.0"));
  EXPECT_EQ(again.blobs_uploaded, 0);
  EXPECT_EQ(again.blobs_skipped, 4);

  fs::path out = temp_.path() / "out";
  auto pulled = Copy(client_, Ref("team/app:1.0"), "oci:" + out.string() + ":pulled");
  EXPECT_EQ(pulled.top.digest, image.digest);
  auto source_blobs = LayoutBlobs(layout.root());
  auto pulled_blobs = LayoutBlobs(out);
  EXPECT_EQ(source_blobs, pulled_blobs);
  for (const auto& [path, hex] : pulled_blobs) EXPECT_EQ(fs::path(path).filename().string(), hex) << path;
  auto index = nlohmann::json::parse(ReadFile(out / "index.json"));
  ASSERT_EQ(index["manifests"].size(), 1u);
  EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "pulled");
  EXPECT_EQ(index["manifests"][0]["digest"], image.digest.str());
}

TEST_F(PlainRegistryTest, MultiPlatformIndexCopiesEveryPlatformOrTheOneAsked) {
  TestLayout layout(temp_.path() / "src");
  auto amd64 = layout.AddImage("linux/amd64", {5000, 6000}, 10);
  auto arm64 = layout.AddImage("linux/arm64/v8", {7000}, 20);
  auto index = layout.AddIndex({amd64, arm64});
  layout.Tag(index, "multi");

  auto pushed = Copy(client_, "oci:" + layout.root().string() + ":multi", Ref("team/multi:1"));
  EXPECT_EQ(pushed.top.digest, index.digest);
  EXPECT_EQ(pushed.manifests, 3);
  EXPECT_EQ(pushed.platforms, (std::vector<std::string>{"linux/amd64", "linux/arm64/v8"}));
  EXPECT_EQ(pushed.blobs_uploaded, 5);

  auto top = client_->GetManifest("test", "team/multi", "1");
  EXPECT_TRUE(top.is_index);
  EXPECT_EQ(top.digest, index.digest);
  EXPECT_EQ(client_->GetManifest("test", "team/multi", arm64.digest.str()).layers.size(), 1u);

  fs::path out = temp_.path() / "arm";
  oci::CopyOptions options;
  options.platform = oci::Platform::Parse("linux/arm64");
  auto pulled = Copy(client_, Ref("team/multi:1"), "oci:" + out.string() + ":arm", options);
  EXPECT_EQ(pulled.top.digest, arm64.digest);
  EXPECT_EQ(pulled.blobs_uploaded, 2);  // config + one layer, nothing of amd64.
  EXPECT_EQ(LayoutBlobs(out).size(), 3u);

  options.platform = oci::Platform::Parse("linux/s390x");
  Status missing = ErrorOf([&] { Copy(client_, Ref("team/multi:1"), "oci:" + out.string() + ":s390x", options); });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.message().find("no manifest for platform linux/s390x (the index has: linux/amd64, linux/arm64/v8)"), std::string::npos)
      << missing.message();
}

TEST_F(PlainRegistryTest, CopyBetweenRepositoriesMountsEveryBlob) {
  TestLayout layout(temp_.path() / "src");
  auto image = layout.AddImage("linux/amd64", {100000, 100000}, 3);
  layout.Tag(image, "v1");
  Copy(client_, "oci:" + layout.root().string() + ":v1", Ref("team/a:1"));
  auto copied = Copy(client_, Ref("team/a:1"), Ref("team/b:1"));
  EXPECT_EQ(copied.blobs_mounted, 3);
  EXPECT_EQ(copied.blobs_uploaded, 0);
  EXPECT_EQ(copied.bytes_uploaded, 0);
  EXPECT_EQ(client_->GetManifest("test", "team/b", "1").digest, image.digest);
}

TEST_F(PlainRegistryTest, ChunkedUploadHonoursTheChunkSize) {
  oci::RegistrySettings settings = FastSettings(true);
  settings.chunk_size = 64 << 10;
  auto chunked = MakeClient(host_, settings);
  TestLayout layout(temp_.path() / "src");
  auto image = layout.AddImage("linux/amd64", {300000}, 4);
  layout.Tag(image, "v1");
  auto pushed = Copy(chunked, "oci:" + layout.root().string() + ":v1", Ref("team/chunked:1"));
  EXPECT_EQ(pushed.blobs_uploaded, 2);
  // The registry's own log shows the PATCHes: at least five 64 KiB chunks.
  std::string log = ReadFile(registry_->ready()["log_file"].get<std::string>());
  size_t patches = 0;
  for (size_t pos = 0; (pos = log.find("PATCH /v2/team/chunked/blobs/uploads/", pos)) != std::string::npos; ++pos) ++patches;
  EXPECT_GE(patches, 5u);
  fs::path out = temp_.path() / "out";
  Copy(client_, Ref("team/chunked:1"), "oci:" + out.string());
  EXPECT_EQ(LayoutBlobs(out), LayoutBlobs(layout.root()));
}

TEST_F(PlainRegistryTest, TagsFollowLinkPaginationAndDeleteRemovesTheManifest) {
  TestLayout layout(temp_.path() / "src");
  auto image = layout.AddImage("linux/amd64", {1000}, 5);
  layout.Tag(image, "v1");
  Copy(client_, "oci:" + layout.root().string() + ":v1", Ref("team/tags:a"));
  auto manifest = client_->GetManifest("test", "team/tags", "a");
  for (std::string tag : {"b", "c", "d", "e"}) client_->PutManifest("test", "team/tags", tag, manifest);
  auto tags = client_->ListTags("tags", "team/tags", 2);
  std::sort(tags.begin(), tags.end());
  EXPECT_EQ(tags, (std::vector<std::string>{"a", "b", "c", "d", "e"}));

  auto head = client_->HeadManifest("test", "team/tags", "c");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->digest, image.digest);
  client_->DeleteManifest("delete", "team/tags", image.digest);
  Status gone = ErrorOf([&] { client_->GetManifest("inspect", "team/tags", "a"); });
  EXPECT_EQ(gone.code(), ErrorCode::kNotFound);
  EXPECT_EQ(gone.message(), "inspect " + host_ + "/team/tags: manifest a failed: 404 MANIFEST_UNKNOWN (manifest unknown)");
  EXPECT_FALSE(client_->HeadManifest("test", "team/tags", image.digest.str()));
}

// docker-registry 2.8 never paginates tags, so a stand-in serves the Link pages.
TEST(TagPaginationTest, FollowsRelativeLinkHeadersToTheEnd) {
  TestPeer server("tests/registry/paginated_tags_server.py", {"--tags", "v1,v2,v3,v4,v5,v6,v7"});
  auto client = MakeClient(server.host(), FastSettings(true));
  auto tags = client->ListTags("tags", "team/app", 3);
  EXPECT_EQ(tags, (std::vector<std::string>{"v1", "v2", "v3", "v4", "v5", "v6", "v7"}));
  auto pages = TestPeer::GetJson(server.ready()["url"].get<std::string>() + "/_stats")["pages"];
  EXPECT_EQ(pages, nlohmann::json::parse(R"([["v1","v2","v3"],["v4","v5","v6"],["v7"]])"));
}

TEST_F(PlainRegistryTest, ReferrersFallBackToTheTagSchema) {
  TestLayout layout(temp_.path() / "src");
  auto image = layout.AddImage("linux/amd64", {1000}, 6);
  layout.Tag(image, "v1");
  Copy(client_, "oci:" + layout.root().string() + ":v1", Ref("team/ref:1"));
  EXPECT_TRUE(client_->Referrers("test", "team/ref", image.digest).empty());

  // An artifact whose subject is the image, and the fallback index listing it.
  auto empty = layout.AddBlob("{}", oci::media_type::kOciEmpty);
  nlohmann::json artifact = {{"schemaVersion", 2},
                             {"mediaType", oci::media_type::kOciManifest},
                             {"artifactType", "application/vnd.example.sbom"},
                             {"config", empty.ToJson()},
                             {"layers", nlohmann::json::array({empty.ToJson()})},
                             {"subject", {{"mediaType", image.media_type}, {"digest", image.digest.str()}, {"size", image.size}}}};
  oci::Manifest artifact_manifest = oci::Manifest::Parse(artifact.dump(), "", "artifact");
  oci::BlobOutcome outcome;
  {
    oci::FileBlobSource source(layout.root() / "blobs" / "sha256" / empty.digest.hex(), 0, 2, empty.digest, "empty");
    outcome = client_->PushBlob("test", "team/ref", empty, source);
  }
  EXPECT_EQ(outcome, oci::BlobOutcome::kUploaded);
  client_->PutManifest("test", "team/ref", artifact_manifest.digest.str(), artifact_manifest);
  oci::Descriptor entry = artifact_manifest.AsDescriptor();
  nlohmann::json listed = entry.ToJson();
  listed["x-written-by"] = "another tool";
  nlohmann::json index = {{"schemaVersion", 2}, {"mediaType", oci::media_type::kOciIndex}, {"manifests", nlohmann::json::array({listed})}};
  client_->PutManifest("test", "team/ref", "sha256-" + image.digest.hex(), oci::Manifest::Parse(index.dump(), "", "index"));

  auto referrers = client_->Referrers("test", "team/ref", image.digest);
  ASSERT_EQ(referrers.size(), 1u);
  EXPECT_EQ(referrers[0].digest, artifact_manifest.digest);
  EXPECT_EQ(referrers[0].artifact_type, "application/vnd.example.sbom");
  EXPECT_EQ(client_->Referrers("test", "team/ref", image.digest, "application/vnd.example.sbom").size(), 1u);
  EXPECT_TRUE(client_->Referrers("test", "team/ref", image.digest, "application/other").empty());

  // PutReferrer: no referrers API here, so the fallback index gains the new
  // entry beside the other tool's (its fields kept), once however often it is stored.
  artifact["artifactType"] = "application/vnd.example.sig";
  artifact["annotations"] = {{"org.example.signer", "alice"}};
  oci::Manifest signature = oci::Manifest::Parse(artifact.dump(), "", "signature");
  EXPECT_EQ(client_->PutReferrer("test", "team/ref", signature), "sha256-" + image.digest.hex());
  EXPECT_EQ(client_->PutReferrer("test", "team/ref", signature), "sha256-" + image.digest.hex());
  nlohmann::json merged = nlohmann::json::parse(client_->GetManifest("test", "team/ref", "sha256-" + image.digest.hex()).bytes);
  ASSERT_EQ(merged["manifests"].size(), 2u) << merged.dump();
  EXPECT_EQ(merged["manifests"][0], listed);
  EXPECT_EQ(merged["manifests"][1]["digest"], signature.digest.str());
  EXPECT_EQ(merged["manifests"][1]["artifactType"], "application/vnd.example.sig");
  EXPECT_EQ(merged["manifests"][1]["annotations"]["org.example.signer"], "alice");
  EXPECT_EQ(client_->Referrers("test", "team/ref", image.digest, "application/vnd.example.sig").at(0).digest, signature.digest);
  artifact.erase("subject");
  try {
    client_->PutReferrer("test", "team/ref", oci::Manifest::Parse(artifact.dump(), "", "no subject"));
    ADD_FAILURE() << "a manifest without a subject was stored as a referrer";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

TEST_F(PlainRegistryTest, DockerArchiveRoundTripKeepsDigestsAndSkopeoReadsIt) {
  TestLayout layout(temp_.path() / "src");
  auto image = layout.AddImage("linux/amd64", {40000, 50000}, 7);
  layout.Tag(image, "v1");
  Copy(client_, "oci:" + layout.root().string() + ":v1", Ref("team/arch:1"));
  fs::path archive = temp_.path() / "image.tar";
  Copy(client_, Ref("team/arch:1"), "docker-archive:" + archive.string() + ":team/arch:1");

  // skopeo (containers/image) reads what berth wrote.
  ProcessResult inspect = RunProcess({"skopeo", "inspect", "docker-archive:" + archive.string()});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.stderr_data;
  auto info = nlohmann::json::parse(inspect.stdout_data);
  EXPECT_EQ(info["Architecture"], "amd64");
  fs::path skopeo_out = temp_.path() / "skopeo-out";
  ProcessResult copy = RunProcess({"skopeo", "copy", "--quiet", "docker-archive:" + archive.string(), "oci:" + skopeo_out.string() + ":x"});
  ASSERT_EQ(copy.exit_code, 0) << copy.stderr_data;

  // Back into the registry: same config and layer digests.
  auto pushed = Copy(client_, "docker-archive:" + archive.string(), Ref("team/arch:from-archive"));
  auto manifest = client_->GetManifest("test", "team/arch", "from-archive");
  auto original = client_->GetManifest("test", "team/arch", "1");
  EXPECT_EQ(manifest.config->digest, original.config->digest);
  ASSERT_EQ(manifest.layers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(manifest.layers[i].digest, original.layers[i].digest);
    EXPECT_EQ(manifest.layers[i].media_type, oci::media_type::kOciLayerGzip);
  }
  EXPECT_EQ(pushed.blobs_skipped, 3);
}

TEST_F(PlainRegistryTest, SkopeoReadsWhatBerthPushedAndBerthPullsWhatSkopeoPushed) {
  TestLayout layout(temp_.path() / "src");
  auto image = layout.AddImage("linux/amd64", {120000, 80000}, 8);
  layout.Tag(image, "v1");
  Copy(client_, "oci:" + layout.root().string() + ":v1", Ref("interop/berth:1"));
  ProcessResult inspect = RunProcess({"skopeo", "inspect", "--tls-verify=false", "docker://" + Ref("interop/berth:1")});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.stderr_data;
  EXPECT_EQ(nlohmann::json::parse(inspect.stdout_data)["Digest"], image.digest.str());
  fs::path by_skopeo = temp_.path() / "by-skopeo";
  ProcessResult pull = RunProcess({"skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://" + Ref("interop/berth:1"),
                                   "oci:" + by_skopeo.string() + ":x"});
  ASSERT_EQ(pull.exit_code, 0) << pull.stderr_data;
  EXPECT_EQ(LayoutBlobs(by_skopeo), LayoutBlobs(layout.root()));

  // The other way: skopeo pushes, berth pulls the same bytes skopeo itself reads back.
  TestLayout other(temp_.path() / "other");
  auto second = other.AddImage("linux/amd64", {90000}, 9);
  other.Tag(second, "v2");
  ProcessResult push = RunProcess({"skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci:" + other.root().string() + ":v2",
                                   "docker://" + Ref("interop/skopeo:2")});
  ASSERT_EQ(push.exit_code, 0) << push.stderr_data;
  fs::path by_berth = temp_.path() / "by-berth";
  auto pulled = Copy(client_, Ref("interop/skopeo:2"), "oci:" + by_berth.string() + ":x");
  fs::path skopeo_back = temp_.path() / "skopeo-back";
  ProcessResult back = RunProcess({"skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://" + Ref("interop/skopeo:2"),
                                   "oci:" + skopeo_back.string() + ":x"});
  ASSERT_EQ(back.exit_code, 0) << back.stderr_data;
  EXPECT_EQ(LayoutBlobs(by_berth), LayoutBlobs(skopeo_back));
  ProcessResult raw = RunProcess({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + Ref("interop/skopeo:2")});
  EXPECT_EQ(pulled.top.digest, Digest::Of(raw.stdout_data));
}

TEST_F(PlainRegistryTest, UnreachableRegistryNamesTheOperationAfterRetrying) {
  oci::RegistrySettings settings = FastSettings(true);
  settings.retry.attempts = 3;
  // A port bound but never listened on: connecting is refused at once, and no
  // other test's server can take the port meanwhile (a freed port could be,
  // and then answer slowly or not at all).
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string closed = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  auto client = MakeClient(closed, settings);
  Status status = ErrorOf([&] { client->GetManifest("pull", "team/app", "1.0"); });
  close(fd);
  EXPECT_EQ(status.code(), ErrorCode::kFailure);
  EXPECT_TRUE(status.message().starts_with("pull " + closed + "/team/app: manifest 1.0 failed: GET http://" + closed + "/v2/ failed after 3 attempts:"))
      << status.message();
}

TEST_F(PlainRegistryTest, ABlobWhoseBytesDoNotMatchItsDigestIsRefusedBeforeUpload) {
  TestLayout layout(temp_.path() / "src");
  auto image = layout.AddImage("linux/amd64", {50000}, 11);
  layout.Tag(image, "v1");
  auto manifest = oci::Manifest::Parse(layout.ReadBlob(image.digest), "", "test");
  // Corrupt the layer file in place: same size, one byte changed.
  fs::path layer = layout.root() / "blobs" / "sha256" / manifest.layers[0].digest.hex();
  std::string bytes = ReadFile(layer);
  bytes[bytes.size() / 2] ^= 1;
  WriteFileAtomic(layer, bytes);
  Status status = ErrorOf([&] { Copy(client_, "oci:" + layout.root().string() + ":v1", Ref("team/corrupt:1")); });
  EXPECT_EQ(status.code(), ErrorCode::kVerification) << status.message();
  EXPECT_NE(status.message().find("digest mismatch"), std::string::npos) << status.message();
  EXPECT_FALSE(client_->StatBlob("test", "team/corrupt", manifest.layers[0].digest));
  EXPECT_FALSE(client_->HeadManifest("test", "team/corrupt", "1"));
}

}  // namespace
}  // namespace berth::testing
