// berth login|logout|push|pull|copy|tag|inspect|digest|tags|delete as a user
// runs them, against the real docker-registry in its three configurations.
// Credentials reach berth through stdin, files and docker's config, never argv.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

mode_t ModeOf(const fs::path& path) {
  struct stat info {};
  stat(path.c_str(), &info);
  return info.st_mode & 0777;
}

class RegistryE2eTest : public ::testing::Test {
 protected:
  void MakeImages() {
    layout_ = std::make_unique<TestLayout>(berth_.work_dir() / "img");
    image_ = layout_->AddImage("linux/amd64", {20000, 30000}, 51);
    layout_->Tag(image_, "v1");
    amd64_ = layout_->AddImage("linux/amd64", {10000}, 52);
    arm64_ = layout_->AddImage("linux/arm64", {11000}, 53);
    index_ = layout_->AddIndex({amd64_, arm64_});
    layout_->Tag(index_, "multi");
  }
  void WriteRegistriesYaml(const std::string& body) {
    WriteFileAtomic(berth_.home() / "config" / "berth" / "registries.yaml", "registries:\n" + body);
  }
  ProcessResult Run(std::vector<std::string> args, const std::string& input = "") { return berth_.Run(args, input); }

  BerthRunner berth_;
  std::unique_ptr<TestLayout> layout_;
  oci::Descriptor image_, amd64_, arm64_, index_;
};

TEST_F(RegistryE2eTest, PlainHttpEveryCommand) {
  auto registry = StartRegistry("plain");
  const std::string host = registry->host();
  MakeImages();
  const std::string plain[] = {"--plain-http", host};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), std::begin(plain), std::end(plain));
    return args;
  };

  auto pushed = berth_.Json(with({"push", "oci:img:v1", host + "/team/app:1.0"}));
  EXPECT_EQ(pushed["digest"], image_.digest.str());
  EXPECT_EQ(pushed["blobs"]["uploaded"], 3);
  EXPECT_EQ(pushed["destination"], host + "/team/app:1.0");

  auto inspect = berth_.Json(with({"inspect", host + "/team/app:1.0"}));
  EXPECT_EQ(inspect["reference"], host + "/team/app:1.0");
  EXPECT_EQ(inspect["digest"], image_.digest.str());
  EXPECT_EQ(inspect["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(inspect["config"]["os"], "linux");
  EXPECT_EQ(inspect["config"]["architecture"], "amd64");
  EXPECT_EQ(inspect["config"]["labels"]["org.berth.test"], "51");
  EXPECT_EQ(inspect["layers"].size(), 2u);
  int64_t total = inspect["config"]["size"].get<int64_t>();
  for (const auto& layer : inspect["layers"]) total += layer["size"].get<int64_t>();
  EXPECT_EQ(inspect["totalSize"], total);

  auto digest = Run(with({"digest", host + "/team/app:1.0"}));
  EXPECT_EQ(digest.exit_code, 0) << Describe(digest);
  EXPECT_EQ(digest.stdout_data, image_.digest.str() + "\n");

  auto tagged = berth_.Json(with({"tag", host + "/team/app:1.0", "latest", "stable"}));
  EXPECT_EQ(tagged.size(), 2u);
  auto tags = berth_.Json(with({"tags", host + "/team/app"}));
  std::vector<std::string> names = tags.get<std::vector<std::string>>();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"1.0", "latest", "stable"}));

  auto copied = berth_.Json(with({"copy", host + "/team/app:1.0", host + "/team/mirror:1.0"}));
  EXPECT_EQ(copied["blobs"]["mounted"], 3);
  EXPECT_EQ(copied["bytesUploaded"], 0);

  auto pulled = berth_.Json(with({"pull", host + "/team/mirror:1.0", "oci:out:pulled"}));
  EXPECT_EQ(pulled["digest"], image_.digest.str());
  EXPECT_TRUE(fs::exists(berth_.work_dir() / "out" / "blobs" / "sha256" / image_.digest.hex()));
  auto archived = berth_.Json(with({"pull", host + "/team/mirror:1.0", "docker-archive:image.tar:team/mirror:1.0"}));
  EXPECT_EQ(archived["blobs"]["uploaded"], 3);
  auto from_archive = berth_.Json({"inspect", "docker-archive:image.tar"});
  EXPECT_EQ(from_archive["layers"], inspect["layers"]);
  auto from_layout = berth_.Json({"inspect", "oci:out:pulled"});
  EXPECT_EQ(from_layout["digest"], image_.digest.str());

  // Multi-platform: every platform, or one.
  auto multi = berth_.Json(with({"push", "oci:img:multi", host + "/team/multi:1"}));
  EXPECT_EQ(multi["platforms"], nlohmann::json::parse(R"(["linux/amd64","linux/arm64"])"));
  auto index = berth_.Json(with({"inspect", host + "/team/multi:1"}));
  EXPECT_EQ(index["mediaType"], "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(index["platforms"][1]["platform"], "linux/arm64");
  EXPECT_EQ(index["platforms"][1]["digest"], arm64_.digest.str());
  auto arm = berth_.Json(with({"inspect", host + "/team/multi:1", "--platform", "linux/arm64"}));
  EXPECT_EQ(arm["digest"], arm64_.digest.str());
  EXPECT_EQ(arm["index"], index_.digest.str());
  auto arm_digest = Run(with({"digest", host + "/team/multi:1", "--platform", "linux/arm64"}));
  EXPECT_EQ(arm_digest.stdout_data, arm64_.digest.str() + "\n");
  auto one = berth_.Json(with({"pull", host + "/team/multi:1", "oci:arm", "--platform", "linux/arm64"}));
  EXPECT_EQ(one["digest"], arm64_.digest.str());
  auto raw = Run(with({"inspect", "--raw", host + "/team/multi:1"}));
  EXPECT_EQ(Digest::Of(raw.stdout_data.substr(0, raw.stdout_data.size() - 1)), index_.digest);

  auto deleted = berth_.Json(with({"delete", host + "/team/app:stable"}));
  EXPECT_EQ(deleted["digest"], image_.digest.str());
  auto gone = Run(with({"inspect", host + "/team/app:1.0"}));
  EXPECT_EQ(gone.exit_code, 6) << Describe(gone);
  EXPECT_EQ(gone.stderr_data, "error: inspect " + host + "/team/app: manifest 1.0 failed: 404 MANIFEST_UNKNOWN (manifest unknown)\n");
}

TEST_F(RegistryE2eTest, BadInputGetsClearErrorsAndExitCodes) {
  auto registry = StartRegistry("plain");
  const std::string host = registry->host();
  auto bad = Run({"inspect", host + "/Team/App:1"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(bad.stderr_data, "error: invalid reference '" + host + "/Team/App:1': repository name must be lowercase\n");
  bad = Run({"inspect", host + "/team/app:-bad"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.stderr_data.find("bad tag '-bad'"), std::string::npos) << bad.stderr_data;
  bad = Run({"inspect", host + "/team/app@sha256:abc"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.stderr_data.find("bad digest 'sha256:abc'"), std::string::npos) << bad.stderr_data;
  bad = Run({"push", host + "/team/app:1", host + "/team/app:2", "--plain-http", host});
  EXPECT_EQ(bad.exit_code, 2);
  bad = Run({"inspect", "oci:nowhere:v1"});
  EXPECT_EQ(bad.exit_code, 6);
  EXPECT_EQ(bad.stderr_data, "error: oci:nowhere:v1: not an OCI image layout (no oci-layout file in nowhere)\n");
  // TLS is the default: a plain-HTTP registry is not spoken to unless named.
  auto tls = Run({"tags", host + "/team/app"});
  EXPECT_EQ(tls.exit_code, 1);
  EXPECT_TRUE(tls.stderr_data.starts_with("error: tags " + host + "/team/app: tag list failed: GET https://" + host + "/v2/ failed"))
      << tls.stderr_data;
  // --plain-http for another host does not apply to this one.
  auto other = Run({"tags", host + "/team/app", "--plain-http", "127.0.0.1:1"});
  EXPECT_EQ(other.exit_code, 1);
}

TEST_F(RegistryE2eTest, TlsBasicLoginPushPullLogout) {
  auto registry = StartRegistry("tls-basic");
  const std::string host = registry->host();
  const std::string password = registry->ready()["users"]["alice"].get<std::string>();
  const std::string ca = registry->ready()["ca_file"].get<std::string>();
  MakeImages();

  // Without the CA nothing verifies; skipping verification is per host.
  auto untrusted = Run({"login", host, "-u", "alice", "--password-stdin"}, password);
  EXPECT_EQ(untrusted.exit_code, 1) << Describe(untrusted);
  EXPECT_NE(untrusted.stderr_data.find("certificate"), std::string::npos) << untrusted.stderr_data;
  auto insecure = Run({"login", host, "-u", "alice", "--password-stdin", "--insecure-registry", host}, password);
  EXPECT_EQ(insecure.exit_code, 0) << Describe(insecure);

  WriteRegistriesYaml("  \"" + host + "\":\n    ca-file: " + ca + "\n");
  auto wrong = Run({"login", host, "-u", "alice", "--password-stdin"}, "wrong-password-789\n");
  EXPECT_EQ(wrong.exit_code, 7) << Describe(wrong);
  EXPECT_TRUE(wrong.stderr_data.starts_with("error: login " + host + ": wrong username or password: 401")) << wrong.stderr_data;
  EXPECT_EQ(wrong.stderr_data.find("wrong-password-789"), std::string::npos);

  auto login = Run({"login", host, "-u", "alice", "--password-stdin", "-v", "-v", "-v"}, password + "\n");
  ASSERT_EQ(login.exit_code, 0) << Describe(login);
  EXPECT_EQ(login.stderr_data.find(password), std::string::npos);
  fs::path config = berth_.home() / "docker" / "config.json";
  EXPECT_EQ(ModeOf(config), 0600u);
  auto saved = nlohmann::json::parse(ReadFile(config));
  EXPECT_TRUE(saved["auths"].contains(host)) << saved;

  auto pushed = Run({"push", "oci:img:v1", host + "/secure/app:1", "-v", "-v", "-v"});
  ASSERT_EQ(pushed.exit_code, 0) << Describe(pushed);
  EXPECT_EQ(pushed.stderr_data.find(password), std::string::npos);
  auto pulled = berth_.Json({"pull", host + "/secure/app:1", "oci:out"});
  EXPECT_EQ(pulled["digest"], image_.digest.str());

  auto logout = Run({"logout", host});
  EXPECT_EQ(logout.exit_code, 0) << Describe(logout);
  EXPECT_FALSE(nlohmann::json::parse(ReadFile(config))["auths"].contains(host));
  auto anonymous = Run({"pull", host + "/secure/app:1", "oci:out2"});
  EXPECT_EQ(anonymous.exit_code, 7) << Describe(anonymous);
  auto again = Run({"logout", host});
  EXPECT_EQ(again.exit_code, 6);
}

TEST_F(RegistryE2eTest, TokenAuthLoginStoresAnIdentityTokenAndScopesAreEnforced) {
  auto registry = StartRegistry("token");
  const std::string host = registry->host();
  MakeImages();
  WriteRegistriesYaml("  \"" + host + "\":\n    plain-http: true\n");
  auto login = Run({"login", host, "-u", "alice", "--password-stdin", "-o", "json"}, registry->ready()["users"]["alice"].get<std::string>());
  ASSERT_EQ(login.exit_code, 0) << Describe(login);
  EXPECT_EQ(nlohmann::json::parse(login.stdout_data)["identityToken"], true);
  auto saved = nlohmann::json::parse(ReadFile(berth_.home() / "docker" / "config.json"));
  EXPECT_TRUE(saved["auths"][host].contains("identitytoken")) << saved;

  EXPECT_EQ(berth_.Json({"push", "oci:img:multi", host + "/team/app:1"})["digest"], index_.digest.str());
  EXPECT_EQ(berth_.Json({"tags", host + "/team/app"}), nlohmann::json::parse(R"(["1"])"));
  auto stats = TestPeer::GetJson(registry->ready()["token_stats_url"].get<std::string>());
  EXPECT_GE(stats["by_grant"]["refresh_token"].get<int>(), 1) << stats;

  auto reader = Run({"login", host, "-u", "reader", "--password-stdin"}, registry->ready()["users"]["reader"].get<std::string>());
  ASSERT_EQ(reader.exit_code, 0) << Describe(reader);
  auto denied = Run({"push", "oci:img:v1", host + "/team/app:2"});
  EXPECT_EQ(denied.exit_code, 7) << Describe(denied);
  EXPECT_TRUE(denied.stderr_data.starts_with("error: push " + host + "/team/app: ")) << denied.stderr_data;
  EXPECT_EQ(berth_.Json({"digest", host + "/team/app:1"})["digest"], index_.digest.str());
}

TEST_F(RegistryE2eTest, CredentialHelperIsUsedForLoginAndPush) {
  auto registry = StartRegistry("tls-basic");
  const std::string host = registry->host();
  MakeImages();
  WriteRegistriesYaml("  \"" + host + "\":\n    ca-file: " + registry->ready()["ca_file"].get<std::string>() + "\n");
  // A docker credential helper, by its protocol: the secret on stdin/stdout.
  fs::path bin = berth_.home() / "bin";
  fs::path store = berth_.WriteCredentialHelper(bin, "berthtest");
  berth_.SetEnv("PATH", bin.string() + ":" + std::getenv("PATH"));
  WriteFileAtomic(berth_.home() / "docker" / "config.json", R"({"credHelpers":{")" + host + R"(":"berthtest"}})", 0600);

  auto login = Run({"login", host, "-u", "alice", "--password-stdin", "-o", "json"}, registry->ready()["users"]["alice"].get<std::string>());
  ASSERT_EQ(login.exit_code, 0) << Describe(login);
  EXPECT_EQ(nlohmann::json::parse(login.stdout_data)["storedIn"], "docker-credential-berthtest");
  auto stored = nlohmann::json::parse(ReadFile(store));
  EXPECT_EQ(stored["ServerURL"], host);
  EXPECT_EQ(stored["Username"], "alice");
  EXPECT_EQ(nlohmann::json::parse(ReadFile(berth_.home() / "docker" / "config.json")).contains("auths"), false);

  EXPECT_EQ(berth_.Json({"push", "oci:img:v1", host + "/helper/app:1"})["digest"], image_.digest.str());
  ASSERT_EQ(Run({"logout", host}).exit_code, 0);
  EXPECT_FALSE(fs::exists(store));
  EXPECT_EQ(Run({"pull", host + "/helper/app:1", "oci:out"}).exit_code, 7);
}

TEST_F(RegistryE2eTest, HostsClaimedByAPluginAreServedByItElseGeneric) {
  auto registry = StartRegistry("tls-basic");
  const std::string host = registry->host();
  MakeImages();
  fs::path password = berth_.home() / "password";
  WriteFileAtomic(password, registry->ready()["users"]["alice"].get<std::string>(), 0600);
  WriteRegistriesYaml("  \"" + host + "\":\n    ca-file: " + registry->ready()["ca_file"].get<std::string>() +
                      "\n    settings:\n      username: alice\n      password-file: " + password.string() + "\n");
  // The generic registry has no credentials for this host.
  auto generic = Run({"push", "oci:img:v1", host + "/team/app:1"});
  EXPECT_EQ(generic.exit_code, 7) << Describe(generic);

  berth_.SetEnv("BERTH_PLUGIN_PATH", std::string(BERTH_FIXTURE_PLUGIN_DIR) + "/test-registry");
  auto pushed = berth_.Json({"push", "oci:img:v1", host + "/team/app:1"});
  EXPECT_EQ(pushed["digest"], image_.digest.str());
  auto refused = Run({"push", "oci:img:v1", host + "/other/app:1"});
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  EXPECT_EQ(refused.stderr_data, "error: test-registry: repositories live under team/ (got 'other/app')\n");
}

TEST_F(RegistryE2eTest, SkopeoPushedImagePullsByteForByte) {
  auto registry = StartRegistry("plain");
  const std::string host = registry->host();
  MakeImages();
  ProcessResult push = RunProcess({"skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci:" + (berth_.work_dir() / "img").string() + ":multi",
                                   "docker://" + host + "/skopeo/app:1", "--all"});
  ASSERT_EQ(push.exit_code, 0) << push.stderr_data;
  auto pulled = berth_.Json({"pull", host + "/skopeo/app:1", "oci:out:x", "--plain-http", host});
  ProcessResult raw = RunProcess({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + host + "/skopeo/app:1"});
  EXPECT_EQ(pulled["digest"], Digest::Of(raw.stdout_data).str());
  EXPECT_EQ(pulled["platforms"].size(), 2u);
  for (const auto& entry : fs::directory_iterator(berth_.work_dir() / "out" / "blobs" / "sha256")) {
    EXPECT_EQ(Sha256FileHex(entry.path()), entry.path().filename().string());
  }
}

// A 48 MiB blob pushed and pulled: peak RSS stays near berth's baseline,
// far below the blob's size (a whole-blob buffer would show at once).
TEST_F(RegistryE2eTest, LargeBlobsStreamInFlatMemory) {
#if BERTH_SANITIZE
  GTEST_SKIP() << "sanitizers inflate RSS";
#endif
  auto registry = StartRegistry("plain");
  const std::string host = registry->host();
  TestLayout layout(berth_.work_dir() / "big");
  auto layer = layout.AddBlob(RandomBytes(48u << 20, 61), oci::media_type::kOciLayer);
  auto config = layout.AddBlob(R"({"architecture":"amd64","os":"linux"})", oci::media_type::kOciConfig);
  nlohmann::json manifest = {{"schemaVersion", 2}, {"mediaType", oci::media_type::kOciManifest}, {"config", config.ToJson()},
                             {"layers", nlohmann::json::array({layer.ToJson()})}};
  layout.Tag(layout.AddBlob(manifest.dump(), oci::media_type::kOciManifest), "big");
  auto peak_mib = [](const ProcessResult& result) {
    size_t at = result.stderr_data.find("Maximum resident set size (kbytes): ");
    EXPECT_NE(at, std::string::npos) << result.stderr_data;
    return at == std::string::npos ? 1e9 : std::stod(result.stderr_data.substr(at + 36)) / 1024;
  };
  auto push = berth_.RunUnder({"/usr/bin/time", "-v"}, {"push", "oci:big:big", host + "/team/big:1", "--plain-http", host});
  ASSERT_EQ(push.exit_code, 0) << Describe(push);
  EXPECT_LT(peak_mib(push), 40.0) << push.stderr_data;
  auto pull = berth_.RunUnder({"/usr/bin/time", "-v"}, {"pull", host + "/team/big:1", "oci:out", "--plain-http", host});
  ASSERT_EQ(pull.exit_code, 0) << Describe(pull);
  EXPECT_LT(peak_mib(pull), 40.0) << pull.stderr_data;
  EXPECT_EQ(Sha256FileHex(berth_.work_dir() / "out" / "blobs" / "sha256" / layer.digest.hex()), layer.digest.hex());
  auto copy = berth_.RunUnder({"/usr/bin/time", "-v"}, {"copy", host + "/team/big:1", "docker-archive:big.tar", "--plain-http", host});
  ASSERT_EQ(copy.exit_code, 0) << Describe(copy);
  EXPECT_LT(peak_mib(copy), 40.0) << copy.stderr_data;
}

}  // namespace
}  // namespace berth::testing
