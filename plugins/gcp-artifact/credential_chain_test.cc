#include "credential_chain.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/jwt.h"
#include "gcp_test_support.h"
#include "google_api.h"

namespace berth::gcp {
namespace {

using testing::FakeEnvironment;
using testing::GoogleStandin;

class CredentialChainTest : public ::testing::Test {
 protected:
  // --strict-aud: only the key file's token_uri is a valid audience.
  static void SetUpTestSuite() { standin_ = new GoogleStandin({"--strict-aud"}); }
  static void TearDownTestSuite() {
    delete standin_;
    standin_ = nullptr;
  }
  void SetUp() override { standin_->ClearJournal(); }

  GoogleStandin& standin() { return *standin_; }
  std::shared_ptr<TokenCache> cache_ = std::make_shared<TokenCache>();
  TempDir dir_{"gcp-chain-test"};

  // A script standing in for a CLI (gcloud, docker-credential-gcloud): prints `stdout`, exits `code`.
  std::filesystem::path FakeProgram(const std::string& name, const std::string& stdout_text, int code = 0,
                                    const std::string& stderr_text = "") {
    std::filesystem::path path = dir_.path() / name;
    WriteFileAtomic(path,
                    "#!/bin/sh\n# Stand-in for the " + name + " CLI in berth's tests; not Google's program.\n"
                    "echo \"$@\" >> '" + (dir_.path() / (name + ".argv")).string() + "'\n"
                    "cat > '" + (dir_.path() / (name + ".stdin")).string() + "'\n"
                    "printf '%s\\n' '" + stdout_text + "'\nprintf '%s\\n' '" + stderr_text + "' >&2\nexit " + std::to_string(code) + "\n",
                    0700);
    return path;
  }

  // Does the stand-in's API accept this token? (Artifact Registry listing of an unknown repository: 404 when it does.)
  int ApiStatusWith(const AccessToken& token) {
    http::Client client;
    http::Request request;
    request.url = standin().url() + "/v1/projects/" + standin().project() + "/locations/us/repositories/none/dockerImages";
    request.headers = {{"Authorization", "Bearer " + token.token.Reveal()}};
    return client.Send(request).status;
  }

  inline static GoogleStandin* standin_ = nullptr;
};

TEST_F(CredentialChainTest, KeyFileMintsOnceWithAnAssertionTheTokenEndpointAccepts) {
  GcpSettings settings;
  settings.key_file = standin().key_file();
  CredentialChain chain(settings, FakeEnvironment({}), cache_);
  AccessToken token = chain.Get();
  EXPECT_EQ(token.source, "service-account key " + standin().key_file());
  EXPECT_EQ(token.account, standin().ready()["client_email"]);
  EXPECT_EQ(ApiStatusWith(token), 404);
  // Cached: the same token, no second grant.
  EXPECT_EQ(chain.Get().token.Reveal(), token.token.Reveal());
  CredentialChain other(settings, FakeEnvironment({}), cache_);
  EXPECT_EQ(other.Get().token.Reveal(), token.token.Reveal());

  auto grants = standin().Requests("/token");
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0]["status"], 200);
  EXPECT_EQ(grants[0]["body"]["grant_type"], "urn:ietf:params:oauth:grant-type:jwt-bearer");
  const auto& jwt = grants[0]["jwt"];
  EXPECT_EQ(jwt["header"]["alg"], "RS256");
  EXPECT_EQ(jwt["header"]["kid"], standin().ready()["private_key_id"]);
  EXPECT_EQ(jwt["claims"]["iss"], standin().ready()["client_email"]);
  EXPECT_EQ(jwt["claims"]["aud"], standin().ready()["token_uri"]);
  EXPECT_EQ(jwt["claims"]["scope"], kCloudPlatformScope);
  EXPECT_EQ(jwt["claims"]["exp"].get<int64_t>() - jwt["claims"]["iat"].get<int64_t>(), 3600);
  EXPECT_LE(std::abs(jwt["claims"]["iat"].get<int64_t>() - jwt::NowSeconds()), 5);
}

TEST_F(CredentialChainTest, ExplicitKeyFileComesBeforeTheEnvironmentAndGcloudAndMetadata) {
  GcpSettings settings;
  settings.key_file = standin().key_file();
  auto gcloud = FakeProgram("gcloud", "ya29.from-fake-gcloud");
  CredentialChain chain(settings,
                        FakeEnvironment({{"GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json"},
                                         {"GCE_METADATA_HOST", standin().metadata_host()}},
                                        {{"gcloud", gcloud}}),
                        cache_);
  EXPECT_EQ(chain.Get().source, "service-account key " + standin().key_file());
  EXPECT_TRUE(standin().Requests("/computeMetadata").empty());
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "gcloud.argv"));
}

TEST_F(CredentialChainTest, GoogleApplicationCredentialsComesBeforeGcloud) {
  auto gcloud = FakeProgram("gcloud", "ya29.from-fake-gcloud");
  CredentialChain chain(GcpSettings{}, FakeEnvironment({{"GOOGLE_APPLICATION_CREDENTIALS", standin().key_file()}}, {{"gcloud", gcloud}}),
                        cache_);
  AccessToken token = chain.Get();
  EXPECT_EQ(token.source, "service-account key " + standin().key_file());
  EXPECT_EQ(ApiStatusWith(token), 404);
  EXPECT_EQ(standin().Requests("/token").size(), 1u);
}

TEST_F(CredentialChainTest, AnAssertionSignedWithAnotherKeyIsRefused) {
  // Same account and kid, another private key: the stand-in checks the signature with the account's public key.
  nlohmann::json key = nlohmann::json::parse(ReadFile(standin().key_file()));
  key["private_key"] = jwt::PrivateKey::GenerateRsa(2048).Pkcs8Pem().Reveal();
  WriteFileAtomic(dir_.path() / "forged.json", key.dump(), 0600);
  GcpSettings settings;
  settings.key_file = (dir_.path() / "forged.json").string();
  CredentialChain chain(settings, FakeEnvironment({}), cache_);
  try {
    chain.Get();
    FAIL() << "a forged assertion was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kAuth);
    EXPECT_EQ(std::string(error.what()), "token endpoint " + standin().ready()["token_uri"].get<std::string>() +
                                             " refused service account " + key["client_email"].get<std::string>() + " (" +
                                             settings.key_file + "): HTTP 400 invalid_grant: Invalid JWT Signature.");
  }
  // A kid that is not the key's.
  key = nlohmann::json::parse(ReadFile(standin().key_file()));
  key["private_key_id"] = "0123456789abcdef";
  WriteFileAtomic(dir_.path() / "wrong-kid.json", key.dump(), 0600);
  settings.key_file = (dir_.path() / "wrong-kid.json").string();
  try {
    CredentialChain(settings, FakeEnvironment({}), cache_).Get();
    FAIL() << "a wrong kid was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("HTTP 400 invalid_grant: Invalid JWT Signature. (kid '0123456789abcdef'"),
              std::string::npos)
        << error.what();
  }
  for (const auto& grant : standin().Requests("/token")) EXPECT_EQ(grant["status"], 400);
}

TEST_F(CredentialChainTest, TheAudienceIsTheTokenUriThatIsUsed) {
  // An overridden token_uri is also the aud; the strict stand-in refuses any aud but its own token_uri.
  GcpSettings settings;
  settings.key_file = standin().key_file();
  settings.token_uri = standin().url() + "/token";
  EXPECT_FALSE(CredentialChain(settings, FakeEnvironment({}), cache_).Get().token.empty());
  // The same endpoint under another name: berth's aud follows it, and the stand-in refuses that aud.
  settings.token_uri = "http://localhost:" + std::to_string(standin().ready()["port"].get<int>()) + "/token";
  try {
    CredentialChain(settings, FakeEnvironment({}), std::make_shared<TokenCache>()).Get();
    FAIL() << "expected a refusal";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kAuth);
    EXPECT_NE(std::string(error.what()).find("HTTP 400 invalid_grant: Invalid JWT: Failed audience check."), std::string::npos)
        << error.what();
  }
  auto grants = standin().Requests("/token");
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_EQ(grants[1]["jwt"]["claims"]["aud"], settings.token_uri);
}

TEST_F(CredentialChainTest, BadKeyFilesNameTheFileNotTheKey) {
  WriteFileAtomic(dir_.path() / "user.json", R"({"type": "authorized_user", "refresh_token": "r"})", 0600);
  WriteFileAtomic(dir_.path() / "broken.json", R"({"type": "service_account", "client_email": "a@b", "private_key_id": "k",
      "token_uri": "http://127.0.0.1:1/token", "private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"})",
                  0600);
  auto message = [&](const std::string& file) {
    GcpSettings settings;
    settings.key_file = (dir_.path() / file).string();
    try {
      CredentialChain(settings, FakeEnvironment({}), cache_).Get();
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message("user.json"), (dir_.path() / "user.json").string() +
                                      ": key type 'authorized_user' is not supported (expected a service_account key; for user credentials use gcloud)");
  EXPECT_NE(message("broken.json").find((dir_.path() / "broken.json").string() + ": private_key"), std::string::npos);
  EXPECT_EQ(message("broken.json").find("not a key"), std::string::npos);
  EXPECT_NE(message("absent.json").find((dir_.path() / "absent.json").string()), std::string::npos);
}

TEST_F(CredentialChainTest, GcloudPrintsTheTokenAndNothingSecretGoesIntoItsArgv) {
  auto gcloud = FakeProgram("gcloud", "ya29.from-fake-gcloud");
  CredentialChain chain(GcpSettings{}, FakeEnvironment({{"GCE_METADATA_HOST", standin().metadata_host()}}, {{"gcloud", gcloud}}), cache_);
  AccessToken token = chain.Get();
  EXPECT_EQ(token.source, "gcloud");
  EXPECT_EQ(token.token.Reveal(), "ya29.from-fake-gcloud");
  EXPECT_EQ(ReadFile(dir_.path() / "gcloud.argv"), "auth print-access-token\n");
  chain.Get();
  EXPECT_EQ(ReadFile(dir_.path() / "gcloud.argv"), "auth print-access-token\n");  // Cached.
  EXPECT_TRUE(standin().Requests("/computeMetadata").empty());
}

TEST_F(CredentialChainTest, ALoggedOutGcloudFallsThroughToTheHelperThenTheMetadataServer) {
  auto gcloud = FakeProgram("gcloud", "", 1, "ERROR: (gcloud.auth.print-access-token) You do not currently have an active account selected.");
  auto helper = FakeProgram("docker-credential-gcloud", R"({"ServerURL": "https://us-docker.pkg.dev", "Username": "_dcgcloud_token", "Secret": "ya29.from-helper"})");
  CredentialChain with_helper(GcpSettings{}, FakeEnvironment({}, {{"gcloud", gcloud}, {"docker-credential-gcloud", helper}}), cache_);
  AccessToken token = with_helper.Get("europe-docker.pkg.dev");
  EXPECT_EQ(token.source, "docker-credential-gcloud");
  EXPECT_EQ(token.token.Reveal(), "ya29.from-helper");
  EXPECT_EQ(ReadFile(dir_.path() / "docker-credential-gcloud.argv"), "get\n");
  EXPECT_EQ(ReadFile(dir_.path() / "docker-credential-gcloud.stdin"), "https://europe-docker.pkg.dev");

  CredentialChain with_metadata(GcpSettings{}, FakeEnvironment({{"GCE_METADATA_HOST", standin().metadata_host()}}, {{"gcloud", gcloud}}),
                                cache_);
  token = with_metadata.Get();
  EXPECT_EQ(token.source, "metadata server " + standin().metadata_host());
  EXPECT_EQ(ApiStatusWith(token), 404);
  // A gcloud that failed is not run again in the same run.
  EXPECT_EQ(ReadFile(dir_.path() / "gcloud.argv"), "auth print-access-token\n");

  CredentialChain alone(GcpSettings{}, FakeEnvironment({}, {{"gcloud", gcloud}}), cache_);
  try {
    alone.Get();
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kAuth);
    EXPECT_EQ(std::string(error.what()),
              "no Google access token: gcloud auth print-access-token failed (exit 1): ERROR: (gcloud.auth.print-access-token) "
              "You do not currently have an active account selected.");
  }
}

TEST_F(CredentialChainTest, MetadataServerNeedsTheFlavorHeaderAndAsksForOtherScopes) {
  GcpSettings settings;
  settings.scopes = {"https://www.googleapis.com/auth/cloud-platform.read-only"};
  CredentialChain chain(settings, FakeEnvironment({{"GCE_METADATA_HOST", standin().metadata_host()}}), cache_);
  AccessToken token = chain.Get();
  auto requests = standin().Requests("/computeMetadata/v1/instance/service-accounts/default/token");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["headers"]["Metadata-Flavor"], "Google");
  EXPECT_EQ(requests[0]["query"]["scopes"][0], "https://www.googleapis.com/auth/cloud-platform.read-only");
  EXPECT_GT(token.expires, std::chrono::system_clock::now() + std::chrono::minutes(55));
}

TEST_F(CredentialChainTest, WithoutAnySourceNothingIsProbed) {
  CredentialChain chain(GcpSettings{}, FakeEnvironment({}), cache_);
  EXPECT_EQ(chain.Find(), std::nullopt);
  try {
    chain.Get();
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kAuth);
    EXPECT_EQ(std::string(error.what()), NoCredentialsHint());
  }
  EXPECT_TRUE(standin().Journal().empty());
}

TEST_F(CredentialChainTest, TheMetadataServerIsAskedOnlyWhereOneExists) {
  GcpSettings settings;
  EXPECT_EQ(MetadataHost(settings, FakeEnvironment({})), std::nullopt);
  EXPECT_EQ(MetadataHost(settings, FakeEnvironment({{"GCE_METADATA_HOST", "127.0.0.1:1"}})), "127.0.0.1:1");
  WriteFileAtomic(dir_.path() / "product_name", "Google Compute Engine\n");
  EXPECT_EQ(MetadataHost(settings, FakeEnvironment({}, {}, dir_.path() / "product_name")), "metadata.google.internal");
  WriteFileAtomic(dir_.path() / "laptop", "ThinkPad X1\n");
  EXPECT_EQ(MetadataHost(settings, FakeEnvironment({}, {}, dir_.path() / "laptop")), std::nullopt);
  settings.metadata = MetadataMode::kAlways;
  EXPECT_EQ(MetadataHost(settings, FakeEnvironment({})), "metadata.google.internal");
  settings.metadata = MetadataMode::kNever;
  EXPECT_EQ(MetadataHost(settings, FakeEnvironment({{"GCE_METADATA_HOST", "127.0.0.1:1"}})), std::nullopt);
}

TEST_F(CredentialChainTest, ARevokedTokenIsReplacedAfterA401) {
  GcpSettings settings;
  settings.key_file = standin().key_file();
  settings.artifactregistry_url = standin().url();
  auto chain = std::make_shared<CredentialChain>(settings, FakeEnvironment({}), cache_);
  GoogleApi api(chain);
  const std::string url = standin().url() + "/v1/projects/" + standin().project() + "/locations/us/repositories/none/dockerImages";
  EXPECT_EQ(api.Send("GET", url, std::nullopt, "list").status, 404);
  standin().Control("POST", "/_standin/revoke-tokens");
  EXPECT_EQ(api.Send("GET", url, std::nullopt, "list").status, 404);
  EXPECT_EQ(standin().Requests("/token").size(), 2u);
  auto listed = standin().Requests("/v1/");
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[1]["status"], 401);
}

}  // namespace
}  // namespace berth::gcp
