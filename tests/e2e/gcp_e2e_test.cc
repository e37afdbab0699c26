// The gcp-artifact plugin through the real berth binary. The OCI side runs
// against the real docker-registry whose token server answers like Artifact
// Registry's (--challenge-style gcp: Basic oauth2accesstoken + a Google access
// token, which it checks at the Google stand-in's tokeninfo). Google's own
// endpoints (token, metadata, Artifact Registry REST, Secret Manager) are the
// stand-in under tests/standins/google. Everything stays on 127.0.0.1: PATH
// holds only the fake CLIs a test writes, so the machine's gcloud is never run.
#include <gtest/gtest.h>

#include "berth/http/client.h"
#include "berth/util/fs.h"
#include "berth_runner.h"
#include "gcp_test_support.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {

class GcpE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    google_ = new gcp::testing::GoogleStandin({"--strict-aud"});
    registry_ = StartRegistry("token", {"--challenge-style", "gcp", "--google-tokeninfo", google_->url() + "/tokeninfo"}).release();
  }
  static void TearDownTestSuite() {
    delete registry_;
    delete google_;
    registry_ = nullptr;
    google_ = nullptr;
  }

  void SetUp() override {
    google_->ClearJournal();
    google_->Send("POST", "/_standin/config", R"({"rate_limit_after": null})");
    std::filesystem::create_directories(bin_dir());
    berth_.SetEnv("PATH", bin_dir().string());
    for (const char* name : {"GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_HOST", "DOCKER_AUTH_CONFIG", "CLOUDSDK_CONFIG"}) {
      berth_.SetEnv(name, "");
    }
    berth_.SetEnv("REGISTRY_AUTH_FILE", (berth_.home() / "containers-auth.json").string());
    TestLayout layout(berth_.work_dir() / "img");
    image_ = layout.AddImage("linux/amd64", {30000, 12000}, 7);
    layout.Tag(image_, "v1");
  }

  std::filesystem::path bin_dir() const { return berth_.home() / "bin"; }
  std::string Target(const std::string& path = "apps/web:v1") const { return registry_->host() + "/" + google_->project() + "/" + path; }

  // An access token from the stand-in's metadata server, for the fake CLIs to print.
  static std::string MintToken() {
    http::Client client;
    http::Request request;
    request.url = google_->url() + "/computeMetadata/v1/instance/service-accounts/default/token";
    request.headers = {{"Metadata-Flavor", "Google"}};
    return nlohmann::json::parse(client.Send(request).body)["access_token"].get<std::string>();
  }
  static nlohmann::json TokenStats() { return TestPeer::GetJson(registry_->ready()["token_stats_url"].get<std::string>()); }

  // registries.yaml: the test registry served by gcp-artifact (location us), and *-docker.pkg.dev pointed at the stand-in.
  void WriteRegistries(const std::string& extra_settings = "") {
    WriteFileAtomic(berth_.home() / "config" / "berth" / "registries.yaml",
                    "registries:\n"
                    "  \"" + registry_->host() + "\":\n    plain-http: true\n    plugin: gcp-artifact\n"
                    "    settings: {location: us" + extra_settings + "}\n"
                    "  \"*-docker.pkg.dev\":\n    settings: {artifactregistry-url: \"" + google_->url() + "\"" + extra_settings + "}\n");
  }
  // A script standing in for a Google CLI (not Google's program): prints `stdout_text`.
  void FakeCli(const std::string& name, const std::string& stdout_text) {
    WriteFileAtomic(bin_dir() / name,
                    "#!/bin/sh\n# Stand-in for the " + name + " CLI in berth's tests; not Google's program.\n"
                    "echo \"$@\" >> \"$0.argv\"\ncat > /dev/null\nprintf '%s\\n' '" + stdout_text + "'\n",
                    0700);
  }
  // Pushes, then reads the digest back; both must pass.
  void PushAndReadBack(const std::string& target) {
    auto pushed = berth_.Run({"push", "oci:img:v1", target, "-o", "json", "-vvv"});
    ASSERT_EQ(pushed.exit_code, 0) << Describe(pushed);
    EXPECT_EQ(nlohmann::json::parse(pushed.stdout_data)["digest"], image_.digest.str());
    EXPECT_NE(pushed.stderr_data.find("registry " + registry_->host() + " is served by plugin gcp-artifact"), std::string::npos)
        << pushed.stderr_data;
    EXPECT_EQ(pushed.stderr_data.find("ya29."), std::string::npos) << "a token reached the log";
    auto pulled = berth_.Run({"pull", target, "oci:out:v1"});
    ASSERT_EQ(pulled.exit_code, 0) << Describe(pulled);
    EXPECT_TRUE(std::filesystem::exists(berth_.work_dir() / "out" / "index.json"));
  }

  BerthRunner berth_;
  oci::Descriptor image_;
  inline static gcp::testing::GoogleStandin* google_ = nullptr;
  inline static TestPeer* registry_ = nullptr;
};

TEST_F(GcpE2eTest, KeyFileFromTheRegistrySettingsMintsOneTokenForTheWholePush) {
  WriteRegistries(", key-file: \"" + google_->key_file() + "\"");
  const int before = TokenStats()["by_user"].value("oauth2accesstoken", 0);
  auto pushed = berth_.Run({"push", "oci:img:v1", Target(), "-o", "json"});
  ASSERT_EQ(pushed.exit_code, 0) << Describe(pushed);
  auto grants = google_->Requests("/token");
  ASSERT_EQ(grants.size(), 1u) << "one grant for every request of the push";
  EXPECT_EQ(grants[0]["status"], 200);
  EXPECT_EQ(grants[0]["jwt"]["claims"]["aud"], google_->ready()["token_uri"]);
  EXPECT_EQ(grants[0]["jwt"]["header"]["kid"], google_->ready()["private_key_id"]);
  EXPECT_GT(TokenStats()["by_user"].value("oauth2accesstoken", 0), before) << "the registry's token server saw oauth2accesstoken";
  EXPECT_FALSE(google_->Requests("/tokeninfo").empty());
  PushAndReadBack(Target());
}

TEST_F(GcpE2eTest, GoogleApplicationCredentials) {
  WriteRegistries();
  berth_.SetEnv("GOOGLE_APPLICATION_CREDENTIALS", google_->key_file());
  PushAndReadBack(Target("apps/gac:v1"));
  EXPECT_FALSE(google_->Requests("/token").empty());
  auto who = berth_.Json({"gcp", "whoami", "--registry", registry_->host()});
  EXPECT_EQ(who["source"], "service-account key " + google_->key_file());
  EXPECT_EQ(who["account"], google_->ready()["client_email"]);
}

TEST_F(GcpE2eTest, FakeGcloudOnPath) {
  WriteRegistries();
  FakeCli("gcloud", MintToken());
  PushAndReadBack(Target("apps/gcloud:v1"));
  EXPECT_NE(ReadFile(bin_dir() / "gcloud.argv").find("auth print-access-token"), std::string::npos);
  EXPECT_TRUE(google_->Requests("/token").empty());
  EXPECT_EQ(berth_.Json({"gcp", "whoami", "--registry", registry_->host()})["source"], "gcloud");
}

TEST_F(GcpE2eTest, FakeDockerCredentialGcloudOnPath) {
  WriteRegistries();
  FakeCli("docker-credential-gcloud", R"({"ServerURL": "https://us-docker.pkg.dev", "Username": "_dcgcloud_token", "Secret": ")" +
                                          MintToken() + R"("})");
  PushAndReadBack(Target("apps/helper:v1"));
  EXPECT_NE(ReadFile(bin_dir() / "docker-credential-gcloud.argv").find("get"), std::string::npos);
}

TEST_F(GcpE2eTest, MetadataServer) {
  WriteRegistries();
  berth_.SetEnv("GCE_METADATA_HOST", google_->metadata_host());
  PushAndReadBack(Target("apps/metadata:v1"));
  auto asked = google_->Requests("/computeMetadata/v1/instance/service-accounts/default/token");
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked[0]["headers"]["Metadata-Flavor"], "Google");
}

TEST_F(GcpE2eTest, WithoutCredentialsThePushIsRefusedAndNothingIsProbed) {
  WriteRegistries();
  auto refused = berth_.Run({"push", "oci:img:v1", Target("apps/nobody:v1")});
  EXPECT_EQ(refused.exit_code, 7) << Describe(refused);
  EXPECT_TRUE(google_->Journal().empty());
  auto who = berth_.Run({"gcp", "whoami"});
  EXPECT_EQ(who.exit_code, 7);
  EXPECT_NE(who.stderr_data.find("no Google credentials: pass --key-file"), std::string::npos) << who.stderr_data;
}

TEST_F(GcpE2eTest, AForgedKeyIsRefusedByTheTokenEndpoint) {
  nlohmann::json key = nlohmann::json::parse(ReadFile(google_->key_file()));
  key["private_key_id"] = "not-the-key-id";
  WriteFileAtomic(berth_.home() / "forged.json", key.dump(), 0600);
  WriteRegistries();
  berth_.SetEnv("GOOGLE_APPLICATION_CREDENTIALS", (berth_.home() / "forged.json").string());
  auto refused = berth_.Run({"push", "oci:img:v1", Target("apps/forged:v1")});
  EXPECT_EQ(refused.exit_code, 7) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("refused service account " + key["client_email"].get<std::string>()), std::string::npos)
      << refused.stderr_data;
  EXPECT_NE(refused.stderr_data.find("invalid_grant: Invalid JWT Signature."), std::string::npos) << refused.stderr_data;
}

TEST_F(GcpE2eTest, ReferencesMustBeProjectRepositoryImage) {
  WriteRegistries(", key-file: \"" + google_->key_file() + "\"");
  auto refused = berth_.Run({"push", "oci:img:v1", registry_->host() + "/" + google_->project() + "/web:v1"});
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: gcp-artifact: '" + registry_->host() + "/" + google_->project() +
                                     "/web' is not an Artifact Registry image: the image name is missing "
                                     "(expected LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE)\n");
  refused = berth_.Run({"push", "oci:img:v1", registry_->host() + "/Proj/apps/web:v1"});
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  EXPECT_TRUE(google_->Requests("/token").empty());
}

class GcpImagesE2eTest : public GcpE2eTest {
 protected:
  void SetUp() override {
    GcpE2eTest::SetUp();
    nlohmann::json images = nlohmann::json::array();
    for (int i = 0; i < 5; ++i) {
      images.push_back({{"project", google_->project()}, {"location", "us-west1"}, {"repository", "apps"},
                        {"image", i % 2 ? "team/web" : "api"}, {"digest", "sha256:" + std::string(64, char('a' + i))},
                        {"tags", i == 0 ? nlohmann::json::array({"v1", "latest"}) : nlohmann::json::array()},
                        {"imageSizeBytes", 1000 + i}, {"uploadTime", "2024-05-0" + std::to_string(i + 1) + "T10:00:00Z"}});
    }
    google_->Send("POST", "/_standin/images", nlohmann::json({{"images", images}}).dump());
    google_->ClearJournal();
    WriteRegistries(", key-file: \"" + google_->key_file() + "\"");
  }
  std::string Repository() const { return "us-west1-docker.pkg.dev/" + google_->project() + "/apps"; }
};

TEST_F(GcpImagesE2eTest, ListsEveryPageWithTags) {
  nlohmann::json listed = berth_.Json({"gcp", "images", Repository(), "--include-tags", "--page-size", "2"});
  ASSERT_EQ(listed["images"].size(), 5u) << listed.dump();
  EXPECT_EQ(listed["repository"], Repository());
  EXPECT_EQ(listed["resource"], "projects/" + google_->project() + "/locations/us-west1/repositories/apps");
  EXPECT_EQ(listed["images"][0], nlohmann::json::parse(R"({"image": "api", "digest": "sha256:)" + std::string(64, 'a') +
                                                       R"(", "uri": "us-west1-docker.pkg.dev/)" + google_->project() + "/apps/api@sha256:" +
                                                       std::string(64, 'a') + R"(", "size_bytes": 1000,
      "upload_time": "2024-05-01T10:00:00Z", "update_time": "2024-05-01T10:00:00Z", "build_time": "2024-05-01T10:00:00Z",
      "media_type": "application/vnd.docker.distribution.manifest.v2+json", "tags": ["v1", "latest"]})"));
  EXPECT_EQ(listed["images"][1]["image"], "team/web");
  EXPECT_EQ(google_->Requests("/v1/").size(), 3u);
  EXPECT_EQ(google_->Requests("/token").size(), 1u);

  auto table = berth_.Run({"gcp", "images", Repository()});
  ASSERT_EQ(table.exit_code, 0) << Describe(table);
  EXPECT_EQ(table.stdout_data.substr(0, table.stdout_data.find('\n')).find("TAGS"), std::string::npos);
  EXPECT_NE(table.stdout_data.find(Repository() + "/team/web"), std::string::npos) << table.stdout_data;
  nlohmann::json without_tags = berth_.Json({"gcp", "images", Repository()});
  EXPECT_FALSE(without_tags["images"][0].contains("tags"));
}

TEST_F(GcpImagesE2eTest, RateLimitsAreWaitedOut) {
  google_->Send("POST", "/_standin/config", R"({"rate_limit_after": 1})");
  nlohmann::json listed = berth_.Json({"gcp", "images", Repository(), "--page-size", "2"});
  EXPECT_EQ(listed["images"].size(), 5u);
  int refused = 0;
  for (const auto& request : google_->Requests("/v1/")) refused += request["status"] == 429;
  EXPECT_GE(refused, 1);
}

TEST_F(GcpImagesE2eTest, ErrorsHaveTheirExitCodes) {
  auto missing = berth_.Run({"gcp", "images", "us-west1-docker.pkg.dev/" + google_->project() + "/missing"});
  EXPECT_EQ(missing.exit_code, 6) << Describe(missing);
  EXPECT_EQ(missing.stderr_data, "error: gcp-artifact: gcp images: Artifact Registry projects/" + google_->project() +
                                     "/locations/us-west1/repositories/missing: HTTP 404 NOT_FOUND: Requested entity was not found.\n");
  auto shape = berth_.Run({"gcp", "images", "us-west1-docker.pkg.dev/" + google_->project()});
  EXPECT_EQ(shape.exit_code, 3) << Describe(shape);
  auto denied = berth_.Run({"gcp", "images", "us-west1-docker.pkg.dev/another-project/apps"});
  EXPECT_EQ(denied.exit_code, 7) << Describe(denied);
  auto page = berth_.Run({"gcp", "images", Repository(), "--page-size", "0"});
  EXPECT_EQ(page.exit_code, 2) << Describe(page);
}

TEST_F(GcpE2eTest, SecretManagerSetListDelete) {
  const std::vector<std::string> store = {"--store", "gcp-secret-manager", "--setting", "project=" + google_->project(),
                                          "--setting", "secretmanager-url=" + google_->url(), "--setting", "key-file=" + google_->key_file()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), store.begin(), store.end());
    return args;
  };
  auto set = berth_.Run(with({"secrets", "set", "e2e", "API_TOKEN"}), "s3cr3t-value-1\n");
  ASSERT_EQ(set.exit_code, 0) << Describe(set);
  set = berth_.Run(with({"secrets", "set", "e2e", "API_TOKEN", "-vvv"}), "s3cr3t-value-2\n");
  ASSERT_EQ(set.exit_code, 0) << Describe(set);
  EXPECT_EQ(set.stderr_data.find("s3cr3t-value-2"), std::string::npos) << "the value reached the log";
  EXPECT_EQ(set.stderr_data.find("ya29."), std::string::npos) << "a token reached the log";
  nlohmann::json stored;
  for (const auto& secret : nlohmann::json::parse(google_->Send("GET", "/_standin/secrets").body)) {
    if (secret["secret"] == "e2e--API_TOKEN") stored = secret;
  }
  ASSERT_FALSE(stored.is_null());
  ASSERT_EQ(stored["versions"].size(), 2u);
  EXPECT_EQ(stored["versions"][1]["value"], "s3cr3t-value-2");

  auto listed = berth_.Json(with({"secrets", "list", "e2e"}));
  EXPECT_EQ(listed, nlohmann::json::parse(R"([{"name": "API_TOKEN"}])"));
  auto deleted = berth_.Run(with({"secrets", "delete", "e2e", "API_TOKEN"}));
  ASSERT_EQ(deleted.exit_code, 0) << Describe(deleted);
  EXPECT_EQ(berth_.Json(with({"secrets", "list", "e2e"})), nlohmann::json::array());
  auto again = berth_.Run(with({"secrets", "delete", "e2e", "API_TOKEN"}));
  EXPECT_EQ(again.exit_code, 6) << Describe(again);
  auto no_project = berth_.Run({"secrets", "list", "e2e", "--store", "gcp-secret-manager"});
  EXPECT_EQ(no_project.exit_code, 3) << Describe(no_project);
}

}  // namespace
}  // namespace berth::testing
