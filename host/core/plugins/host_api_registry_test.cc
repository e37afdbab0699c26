// The host's registry services ("oci.*", ABI 2.2), called as a plugin calls
// them (through the host's berth_host_api table), against the real
// docker-registry the test starts on 127.0.0.1 (tests/peers/registry).
#include <gtest/gtest.h>

#include <cstdlib>

#include "berth/abi/buffer.h"
#include "berth/oci/manifest.h"
#include "berth/oci/registry_service.h"
#include "berth/util/base64.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "core/plugins/plugin_manager.h"
#include "test_peer.h"

namespace berth::host {
namespace {

namespace fs = std::filesystem;
using berth::testing::StartRegistry;
using berth::testing::TestPeer;
using nlohmann::json;

struct Call {
  int32_t status = 0;
  json reply;
  std::string error;
};

class HostRegistryServiceTest : public ::testing::Test {
 protected:
  // No credentials or registries.yaml of the machine's user: a private,
  // empty configuration for the whole suite.
  static void SetUpTestSuite() {
    home_ = new TempDir("berth-registry-service");
    ::setenv("DOCKER_CONFIG", (home_->path() / "docker").c_str(), 1);
    // Not REGISTRY_AUTH_FILE: docker-registry, which inherits the
    // environment, would read it as its own configuration.
    ::unsetenv("REGISTRY_AUTH_FILE");
    ::setenv("XDG_RUNTIME_DIR", (home_->path() / "run").c_str(), 1);
    ::setenv("BERTH_REGISTRIES_CONFIG", (home_->path() / "registries.yaml").c_str(), 1);
    ::setenv("XDG_STATE_HOME", (home_->path() / "state").c_str(), 1);
  }
  static void TearDownTestSuite() {
    delete home_;
    home_ = nullptr;
  }

  HostRegistryServiceTest() : manager_({}), registry_(StartRegistry("plain")), host_(registry_->host()) {
    manager_.registries().config().SetPlainHttp(host_);
  }

  // berth_host_api.call exactly as a plugin makes it.
  Call Request(const char* service, const json& request) {
    const berth_host_api* table = manager_.host_api().table();
    std::string text = request.dump();
    berth_buffer reply{};
    berth_buffer error{};
    Call call;
    call.status = table->call(table->host, service, text.data(), text.size(), &reply, &error);
    std::string answer = abi::Take(reply);
    call.error = abi::Take(error);
    if (!answer.empty()) call.reply = json::parse(answer);
    return call;
  }

  Digest PutBlob(const std::string& repository, const std::string& bytes) {
    Call call = Request("oci.blob.put", {{"repository", host_ + "/" + repository}, {"blob_base64", Base64Encode(bytes)}});
    EXPECT_EQ(call.status, BERTH_STATUS_OK) << call.error;
    EXPECT_EQ(call.reply["size"], bytes.size());
    return Digest::Parse(call.reply["digest"].get<std::string>());
  }

  // A one-layer image manifest whose blobs are in `repository`.
  std::string MakeManifest(const std::string& repository, const std::string& layer_text, const json& extra = json::object()) {
    std::string config = json({{"architecture", "amd64"}, {"os", "linux"},
                               {"rootfs", {{"type", "layers"}, {"diff_ids", json::array()}}}}).dump();
    Digest config_digest = PutBlob(repository, config);
    Digest layer_digest = PutBlob(repository, layer_text);
    json manifest = {{"schemaVersion", 2},
                     {"mediaType", oci::media_type::kOciManifest},
                     {"config", {{"mediaType", oci::media_type::kOciConfig}, {"digest", config_digest.str()}, {"size", config.size()}}},
                     {"layers", {{{"mediaType", oci::media_type::kOciLayer}, {"digest", layer_digest.str()}, {"size", layer_text.size()}}}}};
    manifest.update(extra);
    return manifest.dump();
  }

  Digest PutManifest(const std::string& image, const std::string& bytes, const std::string& media_type = oci::media_type::kOciManifest) {
    Call call = Request("oci.manifest.put", {{"image", image}, {"media_type", media_type}, {"manifest_base64", Base64Encode(bytes)}});
    EXPECT_EQ(call.status, BERTH_STATUS_OK) << call.error;
    return Digest::Parse(call.reply.value("digest", Digest::Of("").str()));
  }

  // The file docker-registry keeps a blob's bytes in.
  fs::path StoredBlob(const Digest& digest) const {
    return fs::path(registry_->ready()["storage_dir"].get<std::string>()) / "docker" / "registry" / "v2" / "blobs" /
           digest.algorithm() / digest.hex().substr(0, 2) / digest.hex() / "data";
  }

  static TempDir* home_;
  PluginManager manager_;
  std::unique_ptr<TestPeer> registry_;
  std::string host_;
};

TempDir* HostRegistryServiceTest::home_ = nullptr;

TEST_F(HostRegistryServiceTest, ManifestsAndBlobsRoundTripVerified) {
  std::string manifest = MakeManifest("team/app", "layer one\n");
  Digest digest = PutManifest(host_ + "/team/app:v1", manifest);
  EXPECT_EQ(digest, Digest::Of(manifest));

  Call head = Request("oci.manifest.head", {{"image", host_ + "/team/app:v1"}});
  ASSERT_EQ(head.status, BERTH_STATUS_OK) << head.error;
  EXPECT_EQ(head.reply["found"], true);
  EXPECT_EQ(head.reply["digest"], digest.str());
  EXPECT_EQ(head.reply["size"], manifest.size());
  EXPECT_EQ(head.reply["media_type"], oci::media_type::kOciManifest);

  for (const std::string& image : {host_ + "/team/app:v1", host_ + "/team/app@" + digest.str()}) {
    Call get = Request("oci.manifest.get", {{"image", image}});
    ASSERT_EQ(get.status, BERTH_STATUS_OK) << get.error;
    EXPECT_EQ(get.reply["found"], true);
    EXPECT_EQ(get.reply["digest"], digest.str());
    EXPECT_EQ(Base64Decode(get.reply["manifest_base64"].get<std::string>()), manifest);
  }

  // Without a tag: stored under its own digest.
  std::string other = MakeManifest("team/app", "layer two\n");
  EXPECT_EQ(PutManifest(host_ + "/team/app", other), Digest::Of(other));
  EXPECT_EQ(Request("oci.manifest.head", {{"image", host_ + "/team/app@" + Digest::Of(other).str()}}).reply["found"], true);

  json parsed = json::parse(manifest);
  Call blob = Request("oci.blob.get", {{"repository", host_ + "/team/app"}, {"digest", parsed["layers"][0]["digest"]}});
  ASSERT_EQ(blob.status, BERTH_STATUS_OK) << blob.error;
  EXPECT_EQ(Base64Decode(blob.reply["blob_base64"].get<std::string>()), "layer one\n");
  // Pushing a blob the repository has is not an error.
  EXPECT_EQ(PutBlob("team/app", "layer one\n").str(), parsed["layers"][0]["digest"]);
}

TEST_F(HostRegistryServiceTest, WhatIsMissingIsNotFoundUnlessAskedIfItExists) {
  MakeManifest("team/app", "layer\n");
  Call get = Request("oci.manifest.get", {{"image", host_ + "/team/app:nope"}});
  EXPECT_EQ(get.status, BERTH_STATUS_NOT_FOUND);
  EXPECT_EQ(get.error.rfind("oci.manifest.get " + host_ + "/team/app: manifest nope failed: 404", 0), 0u) << get.error;
  EXPECT_EQ(get.error.find('\n'), std::string::npos);

  get = Request("oci.manifest.get", {{"image", host_ + "/team/app:nope"}, {"if_exists", true}});
  ASSERT_EQ(get.status, BERTH_STATUS_OK) << get.error;
  EXPECT_EQ(get.reply, json({{"found", false}}));
  Call head = Request("oci.manifest.head", {{"image", host_ + "/team/app:nope"}});
  ASSERT_EQ(head.status, BERTH_STATUS_OK) << head.error;
  EXPECT_EQ(head.reply, json({{"found", false}}));

  Digest absent = Digest::Of("never pushed");
  Call blob = Request("oci.blob.get", {{"repository", host_ + "/team/app"}, {"digest", absent.str()}});
  EXPECT_EQ(blob.status, BERTH_STATUS_NOT_FOUND);
  EXPECT_EQ(blob.error, "oci.blob.get " + host_ + "/team/app@" + absent.str() + ": no such blob in " + host_ + "/team/app");
}

TEST_F(HostRegistryServiceTest, BlobsLargerThanAskedAreRefusedBeforeTheDownload) {
  std::string big(100000, 'x');
  Digest digest = PutBlob("team/app", big);
  Call call = Request("oci.blob.get", {{"repository", host_ + "/team/app"}, {"digest", digest.str()}, {"max_bytes", 1000}});
  EXPECT_EQ(call.status, BERTH_STATUS_INVALID_INPUT);
  EXPECT_EQ(call.error, "oci.blob.get " + host_ + "/team/app@" + digest.str() + ": the blob is 100000 bytes, more than max_bytes 1000");

  call = Request("oci.blob.get", {{"repository", host_ + "/team/app"}, {"digest", digest.str()}, {"max_bytes", 65 << 20}});
  EXPECT_EQ(call.status, BERTH_STATUS_INVALID_INPUT);
  EXPECT_NE(call.error.find("max_bytes must be a number of bytes up to"), std::string::npos) << call.error;

  // A size the caller was told, smaller than the blob: the download stops there.
  call = Request("oci.blob.get", {{"repository", host_ + "/team/app"}, {"digest", digest.str()}, {"size", 10}});
  EXPECT_EQ(call.status, BERTH_STATUS_VERIFICATION) << call.error;
  EXPECT_NE(call.error.find("more than the 10 bytes its descriptor says"), std::string::npos) << call.error;
}

TEST_F(HostRegistryServiceTest, ADigestThatDoesNotMatchFails) {
  Digest digest = PutBlob("team/app", "signature payload\n");
  // The registry's storage changed behind its back: same size, other bytes.
  std::string bytes = ReadFile(StoredBlob(digest));
  bytes[0] = 'S';
  WriteFileAtomic(StoredBlob(digest), bytes);
  Call call = Request("oci.blob.get", {{"repository", host_ + "/team/app"}, {"digest", digest.str()}});
  EXPECT_EQ(call.status, BERTH_STATUS_VERIFICATION);
  EXPECT_EQ(call.error.rfind("oci.blob.get " + host_ + "/team/app: blob download ", 0), 0u) << call.error;
  EXPECT_NE(call.error.find("digest mismatch"), std::string::npos) << call.error;

  // A manifest whose reference names another digest is not stored.
  std::string manifest = MakeManifest("team/app", "layer\n");
  Digest wrong = Digest::Of("something else");
  call = Request("oci.manifest.put", {{"image", host_ + "/team/app@" + wrong.str()},
                                      {"media_type", oci::media_type::kOciManifest},
                                      {"manifest_base64", Base64Encode(manifest)}});
  EXPECT_EQ(call.status, BERTH_STATUS_VERIFICATION);
  EXPECT_EQ(call.error, "oci.manifest.put " + host_ + "/team/app: digest mismatch: the reference says " + wrong.str() +
                            ", the manifest is " + Digest::Of(manifest).str());
}

TEST_F(HostRegistryServiceTest, ReferrersThroughTheFallbackTag) {
  std::string image = MakeManifest("team/app", "image\n");
  Digest subject = PutManifest(host_ + "/team/app:v1", image);
  json subject_descriptor = {{"mediaType", oci::media_type::kOciManifest}, {"digest", subject.str()}, {"size", image.size()}};
  std::string referrer = MakeManifest("team/app", "bundle\n", {{"artifactType", "application/vnd.dev.sigstore.bundle+json"},
                                                               {"subject", subject_descriptor}});
  Digest referrer_digest = PutManifest(host_ + "/team/app", referrer);
  // docker-registry has no referrers API: the sha256-<hex> tag lists them.
  json index = {{"schemaVersion", 2},
                {"mediaType", oci::media_type::kOciIndex},
                {"manifests", {{{"mediaType", oci::media_type::kOciManifest},
                                {"digest", referrer_digest.str()},
                                {"size", referrer.size()},
                                {"artifactType", "application/vnd.dev.sigstore.bundle+json"}}}}};
  PutManifest(host_ + "/team/app:sha256-" + subject.hex(), index.dump(), oci::media_type::kOciIndex);

  Call call = Request("oci.referrers", {{"image", host_ + "/team/app@" + subject.str()}});
  ASSERT_EQ(call.status, BERTH_STATUS_OK) << call.error;
  ASSERT_EQ(call.reply["manifests"].size(), 1u);
  EXPECT_EQ(call.reply["manifests"][0]["digest"], referrer_digest.str());
  call = Request("oci.referrers", {{"image", host_ + "/team/app@" + subject.str()}, {"artifact_type", "text/other"}});
  ASSERT_EQ(call.status, BERTH_STATUS_OK) << call.error;
  EXPECT_TRUE(call.reply["manifests"].empty());

  call = Request("oci.referrers", {{"image", host_ + "/team/app:v1"}});
  EXPECT_EQ(call.status, BERTH_STATUS_INVALID_INPUT);
  EXPECT_EQ(call.error, "oci.referrers " + host_ + "/team/app:v1: names no digest (REGISTRY/PATH@DIGEST)");
}

TEST_F(HostRegistryServiceTest, CopiesAsBerthCopyDoes) {
  std::string manifest = MakeManifest("team/app", "copied layer\n");
  Digest digest = PutManifest(host_ + "/team/app:v1", manifest);
  TempDir dir("berth-registry-service-copy");
  std::string layout = "oci:" + (dir.path() / "layout").string() + ":base";
  Call call = Request("oci.copy", {{"from", host_ + "/team/app:v1"}, {"to", layout}, {"platform", "linux/amd64"}});
  ASSERT_EQ(call.status, BERTH_STATUS_OK) << call.error;
  EXPECT_EQ(call.reply["digest"], digest.str());
  EXPECT_TRUE(fs::exists(dir.path() / "layout" / "blobs" / "sha256" / digest.hex()));

  // And back, into another repository.
  call = Request("oci.copy", {{"from", layout}, {"to", host_ + "/team/copy:v2"}});
  ASSERT_EQ(call.status, BERTH_STATUS_OK) << call.error;
  EXPECT_EQ(Request("oci.manifest.head", {{"image", host_ + "/team/copy:v2"}}).reply["digest"], digest.str());

  call = Request("oci.copy", {{"from", host_ + "/team/app:missing"}, {"to", layout}});
  EXPECT_EQ(call.status, BERTH_STATUS_NOT_FOUND);
  EXPECT_EQ(call.error.rfind("oci.copy " + host_ + "/team/app: manifest missing failed: 404", 0), 0u) << call.error;
}

TEST_F(HostRegistryServiceTest, MalformedRequestsAreInvalidInput) {
  Call call = Request("oci.manifest.get", json::object());
  EXPECT_EQ(call.status, BERTH_STATUS_INVALID_INPUT);
  EXPECT_EQ(call.error, "oci.manifest.get: the request has no \"image\"");
  call = Request("oci.manifest.get", {{"image", "Not A Reference"}});
  EXPECT_EQ(call.status, BERTH_STATUS_INVALID_INPUT);
  EXPECT_EQ(call.error.rfind("oci.manifest.get Not A Reference: ", 0), 0u) << call.error;
  call = Request("oci.blob.put", {{"repository", host_ + "/team/app"}, {"blob_base64", "not base64!"}});
  EXPECT_EQ(call.status, BERTH_STATUS_INVALID_INPUT);
  EXPECT_EQ(call.error, "oci.blob.put " + host_ + "/team/app: \"blob_base64\" is not base64");
  EXPECT_EQ(Request("oci.no-such-thing", json::object()).status, BERTH_STATUS_UNSUPPORTED);
}

// The harness's and libberth-sdk's own answer, without a host: the same
// services with the user's registries.yaml and no registry plugins.
TEST_F(HostRegistryServiceTest, TheSdkServesTheSameWithoutAHost) {
  WriteFileAtomic(home_->path() / "registries.yaml",
                  "registries:\n  \"" + host_ + "\":\n    plain-http: true\n    plugin: generic\n    settings: {team: a}\n");
  json request = {{"image", host_ + "/team/app:nope"}, {"if_exists", true}};
  std::string text = request.dump();
  berth_buffer reply{};
  berth_buffer error{};
  int32_t status = berth_registry_request("oci.manifest.get", text.data(), text.size(), &reply, &error);
  std::string answer = abi::Take(reply);
  ASSERT_EQ(status, BERTH_STATUS_OK) << abi::Take(error);
  EXPECT_EQ(json::parse(answer), json({{"found", false}}));

  text = json({{"reference", host_}, {"host_only", true}}).dump();
  status = berth_registry_request("registry.client-options", text.data(), text.size(), &reply, &error);
  answer = abi::Take(reply);
  ASSERT_EQ(status, BERTH_STATUS_OK) << abi::Take(error);
  EXPECT_EQ(json::parse(answer)["registry"], host_);
  EXPECT_EQ(json::parse(answer)["settings"]["plugin"], "generic");
  EXPECT_EQ(json::parse(answer)["settings"]["plugin_settings"], json({{"team", "a"}}));
  EXPECT_EQ(berth_registry_request("http.request", "{}", 2, &reply, &error), BERTH_STATUS_UNSUPPORTED);
  abi::Release(error);
}

}  // namespace
}  // namespace berth::host
