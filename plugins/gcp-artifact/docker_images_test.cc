#include "docker_images.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "gcp_test_support.h"

namespace berth::gcp {
namespace {

using testing::FakeEnvironment;
using testing::GoogleStandin;

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

class DockerImagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { standin_ = new GoogleStandin({"--extra-project", "other-project"}); }
  static void TearDownTestSuite() {
    delete standin_;
    standin_ = nullptr;
  }
  void SetUp() override {
    const std::string project = standin_->project();
    nlohmann::json images = nlohmann::json::array();
    for (int i = 0; i < 5; ++i) {
      images.push_back({{"project", project}, {"location", "us-west1"}, {"repository", "apps"},
                        {"image", i % 2 ? "team/web" : "api"}, {"digest", Digest(char('a' + i))},
                        {"tags", i == 0 ? nlohmann::json::array({"v1", "latest"}) : nlohmann::json::array()},
                        {"imageSizeBytes", 1000 + i}, {"uploadTime", "2024-05-0" + std::to_string(i + 1) + "T10:00:00.000000Z"}});
    }
    standin_->Control("POST", "/_standin/images",
                      {{"repositories", {"projects/" + project + "/locations/us-west1/repositories/empty"}}, {"images", images}});
    standin_->Control("POST", "/_standin/config", {{"rate_limit_after", nullptr}});
    standin_->ClearJournal();
  }

  std::unique_ptr<GoogleApi> MakeApi() {
    GcpSettings settings;
    settings.key_file = standin_->key_file();
    auto chain = std::make_shared<CredentialChain>(settings, FakeEnvironment({}), std::make_shared<TokenCache>());
    auto api = std::make_unique<GoogleApi>(chain);
    http::RetryPolicy fast;
    fast.attempts = 3;
    fast.initial_backoff = std::chrono::milliseconds(10);
    api->set_retry_policy(fast);
    return api;
  }
  ArtifactPath Repository(const std::string& repository, const std::string& project = "") {
    return ParseArtifactPath("us-west1-docker.pkg.dev", (project.empty() ? standin_->project() : project) + "/" + repository, "", false);
  }

  inline static GoogleStandin* standin_ = nullptr;
};

TEST_F(DockerImagesTest, ReadsEveryPage) {
  auto owned = MakeApi();
  GoogleApi& api = *owned;
  ImageListing listing = ListDockerImages(api, standin_->url(), Repository("apps"), 2);
  EXPECT_EQ(listing.pages, 3);
  ASSERT_EQ(listing.images.size(), 5u);
  EXPECT_EQ(listing.images[0].image, "api");
  EXPECT_EQ(listing.images[1].image, "team/web");  // %2F in the resource name.
  EXPECT_EQ(listing.images[0].digest, Digest('a'));
  EXPECT_EQ(listing.images[0].tags, (std::vector<std::string>{"v1", "latest"}));
  EXPECT_EQ(listing.images[4].size_bytes, 1004);
  EXPECT_EQ(listing.images[2].upload_time, "2024-05-03T10:00:00.000000Z");
  EXPECT_EQ(listing.images[1].uri, "us-west1-docker.pkg.dev/" + standin_->project() + "/apps/team/web@" + Digest('b'));
  auto requests = standin_->Requests("/v1/");
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0]["query"]["pageSize"][0], "2");
  EXPECT_FALSE(requests[0]["query"].contains("pageToken"));
  EXPECT_TRUE(requests[1]["query"].contains("pageToken"));

  nlohmann::json json = DockerImageJson(listing.images[0], true);
  EXPECT_EQ(json, nlohmann::json::parse(R"({"image": "api", "digest": ")" + Digest('a') + R"(", "uri": "us-west1-docker.pkg.dev/)" +
                                        standin_->project() + "/apps/api@" + Digest('a') + R"(", "size_bytes": 1000,
      "upload_time": "2024-05-01T10:00:00.000000Z", "update_time": "2024-05-01T10:00:00.000000Z",
      "build_time": "2024-05-01T10:00:00.000000Z", "media_type": "application/vnd.docker.distribution.manifest.v2+json",
      "tags": ["v1", "latest"]})"));
  EXPECT_FALSE(DockerImageJson(listing.images[0], false).contains("tags"));
}

TEST_F(DockerImagesTest, AnEmptyRepositoryHasNoImages) {
  auto owned = MakeApi();
  GoogleApi& api = *owned;
  ImageListing listing = ListDockerImages(api, standin_->url(), Repository("empty"), 0);
  EXPECT_TRUE(listing.images.empty());
  EXPECT_EQ(listing.pages, 1);
}

TEST_F(DockerImagesTest, GoogleErrorsBecomeExitCodes) {
  auto owned = MakeApi();
  GoogleApi& api = *owned;
  auto error_of = [&](const ArtifactPath& repository) -> std::pair<ErrorCode, std::string> {
    try {
      ListDockerImages(api, standin_->url(), repository, 0);
    } catch (const Error& error) {
      return {error.code(), error.what()};
    }
    return {ErrorCode::kOk, ""};
  };
  auto missing = error_of(Repository("missing"));
  EXPECT_EQ(missing.first, ErrorCode::kNotFound);
  EXPECT_EQ(missing.second, "Artifact Registry projects/" + standin_->project() +
                                "/locations/us-west1/repositories/missing: HTTP 404 NOT_FOUND: Requested entity was not found.");
  auto denied = error_of(Repository("apps", "forbidden-project"));
  EXPECT_EQ(denied.first, ErrorCode::kAuth);
  EXPECT_NE(denied.second.find("HTTP 403 PERMISSION_DENIED: Permission 'artifactregistry.dockerimages.list' denied"), std::string::npos)
      << denied.second;
}

TEST_F(DockerImagesTest, RateLimitsAreWaitedOut) {
  standin_->Control("POST", "/_standin/config", {{"rate_limit_after", 1}});
  auto owned = MakeApi();
  GoogleApi& api = *owned;
  ImageListing listing = ListDockerImages(api, standin_->url(), Repository("apps"), 2);
  EXPECT_EQ(listing.images.size(), 5u);
  int refused = 0;
  for (const auto& request : standin_->Requests("/v1/")) refused += request["status"] == 429;
  EXPECT_GE(refused, 1);
}

TEST_F(DockerImagesTest, MalformedEntriesAreReported) {
  EXPECT_THROW(ParseDockerImage(nlohmann::json::parse(R"({"name": "nonsense"})")), Error);
  EXPECT_THROW(ParseDockerImage(nlohmann::json::parse(
                   R"({"name": "projects/p/locations/l/repositories/r/dockerImages/a@sha256:1", "imageSizeBytes": "many"})")),
               Error);
}

}  // namespace
}  // namespace berth::gcp
