// The micros plugin end to end: the built berth binary drives the atlas
// stand-in (tests/standins/atlas) through berth.yaml's configurable atlas path
// and waits on a health endpoint served on 127.0.0.1.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <thread>

#include "background_server.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth/util/jwt.h"
#include "berth_runner.h"
#include "child_process.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

const std::string kAtlas = BERTH_SOURCE_DIR "/tests/standins/atlas/atlas";
const std::string kHealthServer = BERTH_SOURCE_DIR "/tests/e2e/tools/health_server.py";
// The tags Micros would pull (app-<version>) for the versions the tests
// deploy: berth checks on the registry that each names the image it records.
const std::vector<std::string> kImage1Versions = {"1.4.2", "1.0.0", "2.0.0", "3.1.4"};
const std::vector<std::string> kImage2Versions = {"1.5.0", "1.1.0"};

const std::string kDbPassword = "db-pass-7f3a9c1e55";
const std::string kPemBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj";
const std::string kPem = "-----BEGIN PRIVATE KEY-----\n" + kPemBody +
                         "\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n-----END PRIVATE KEY-----\n";

class MicrosE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // berth.yaml names the atlas stand-in, a program: the project must be
    // trusted (as CI would trust its checkout); trust itself is tested in
    // hostile_project_e2e_test.cc.
    berth_.TrustProjects();
    fs::create_directories(Tmp());
    berth_.SetEnv("TMPDIR", Tmp().string());
    berth_.SetEnv("ATLAS_STANDIN_STATE", State().string());
    berth_.SetEnv("XDG_STATE_HOME", (berth_.home() / "state-home").string());
    for (const char* name : {"ATLAS_STANDIN_LOG", "ATLAS_STANDIN_FAIL", "ATLAS_STANDIN_SLEEP", "ATLAS_STANDIN_SERVICE_URL",
                             "ARTIFACTORY_USER", "ARTIFACTORY_TOKEN", "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy",
                             "ALL_PROXY"}) {
      berth_.SetEnv(name, "");
    }
    // Nothing of the machine's own registry logins (whoami falls back to them).
    berth_.SetEnv("DOCKER_AUTH_CONFIG", "");
    berth_.SetEnv("REGISTRY_AUTH_FILE", (berth_.home() / "containers-auth.json").string());
    berth_.SetEnv("no_proxy", "127.0.0.1,localhost");
    berth_.SetEnv("NO_PROXY", "127.0.0.1,localhost");
    WriteFileAtomic(berth_.work_dir() / ".env.local",
                    "DB_PASSWORD=" + kDbPassword + "\nTLS_KEY=\"" + kPem + "\"\nUNLISTED=not-synced-value\n", 0600);
    StartRegistryWithImages();
    WriteProject("");
    // A deploy waits on /api/health even without a health block: every test
    // has a healthy service on 127.0.0.1 unless it starts another.
    StartHealth({});
  }

  // Two real images in a registry on 127.0.0.1, under the app-<version>
  // tags the descriptor names, so that deploys pass berth's check that the
  // tag names the recorded digest (Micros itself pulls by tag).
  void StartRegistryWithImages() {
    registry_ = StartRegistry("plain");
    repository_ = registry_->host() + "/team/shop-api";
    WriteFileAtomic(berth_.home() / "config" / "berth" / "registries.yaml",
                    "registries:\n  \"" + registry_->host() + "\":\n    plain-http: true\n");
    TestLayout images(berth_.home() / "images");
    for (auto [seed, versions, image] : {std::tuple{1u, &kImage1Versions, &image1_}, std::tuple{2u, &kImage2Versions, &image2_}}) {
      oci::Descriptor manifest = images.AddImage("linux/amd64", {1024}, seed);
      images.Tag(manifest, "v" + std::to_string(seed));
      std::vector<std::string> copy = {"copy", "oci:" + images.root().string() + ":v" + std::to_string(seed)};
      for (const auto& version : *versions) copy.push_back(repository_ + ":app-" + version);
      ProcessResult copied = berth_.Run(copy);
      ASSERT_EQ(copied.exit_code, 0) << Describe(copied);
      *image = repository_ + "@" + manifest.digest.str();
    }
  }

  // releases.json with 1.0.0 (image 1) and 1.1.0 (image 2), as berth release would have recorded them.
  void WriteLedger() {
    nlohmann::json ledger = {{"schema", 1}, {"service", "shop-api"}, {"releases", nlohmann::json::array()}};
    for (const auto& [version, image] : {std::pair{"1.0.0", image1_}, std::pair{"1.1.0", image2_}}) {
      ledger["releases"].push_back({{"version", version},
                                    {"digest", image.substr(image.find('@') + 1)},
                                    {"images", {repository_ + ":app-" + version}},
                                    {"created_at", "2026-11-01T00:00:00Z"}});
    }
    WriteFileAtomic(berth_.work_dir() / "releases.json", ledger.dump());
  }

  fs::path Tmp() const { return berth_.home() / "tmp"; }
  fs::path State() const { return berth_.home() / "atlas-state"; }

  // berth.yaml with one micros environment; `extra` is added to it (health: ...).
  void WriteProject(const std::string& extra, const std::string& atlas = kAtlas) {
    WriteFileAtomic(berth_.work_dir() / "berth.yaml",
                    "service: shop-api\n"
                    "image: " + repository_ + "\n"
                    "environments:\n"
                    "  staging:\n"
                    "    target:\n"
                    "      plugin: micros\n"
                    "      atlas: " + atlas + "\n"
                    "      env: stg-west\n"
                    "      secrets: [DB_PASSWORD, TLS_KEY]\n"
                    "      scaling: {min: 1, max: 2}\n"
                    "    secrets:\n"
                    "      store: micros-stash\n"
                    "      from: .env.local\n"
                    "      keys: [DB_PASSWORD, TLS_KEY]\n"
                    "      settings: {service: shop-api, env: stg-west, atlas: " + atlas + "}\n" +
                        extra);
  }

  // A health server; the stand-in reports its URL as the service URL.
  nlohmann::json StartHealth(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/python3", kHealthServer, "--exit-on-stdin-eof"};
    argv.insert(argv.end(), args.begin(), args.end());
    health_ = std::make_unique<BackgroundServer>(argv);
    berth_.SetEnv("ATLAS_STANDIN_SERVICE_URL", health_->url());
    return health_->ready();
  }

  std::vector<nlohmann::json> AtlasLog() const {
    std::vector<nlohmann::json> entries;
    std::ifstream in(State() / "log.jsonl");
    for (std::string line; std::getline(in, line);) entries.push_back(nlohmann::json::parse(line));
    return entries;
  }

  // "micros service show=1" per atlas invocation (command and exit code).
  std::vector<std::string> AtlasCalls() const {
    std::vector<std::string> calls;
    for (const auto& entry : AtlasLog()) calls.push_back(entry.value("command", "?") + "=" + std::to_string(entry["exit_code"].get<int>()));
    return calls;
  }

  std::vector<std::string> TmpEntries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(Tmp())) names.push_back(entry.path().filename().string());
    return names;
  }

  nlohmann::json AtlasState() const { return nlohmann::json::parse(ReadFile(State() / "state.json")); }

  // No secret value, nor a distinctive part of one, in any argv atlas saw or in `texts`.
  void ExpectNoSecrets(const std::vector<std::string>& texts) const {
    const std::vector<std::string> needles = {kDbPassword, kPemBody, "not-synced-value"};
    for (const auto& entry : AtlasLog()) {
      for (const auto& arg : entry["argv"]) {
        for (const auto& needle : needles) EXPECT_EQ(arg.get<std::string>().find(needle), std::string::npos) << entry.dump();
      }
    }
    for (const auto& text : texts) {
      for (const auto& needle : needles) EXPECT_EQ(text.find(needle), std::string::npos) << text;
    }
  }

  ProcessResult Sync() {
    auto result = berth_.Run({"secrets", "sync", "staging", "-vvv"});
    EXPECT_EQ(result.exit_code, 0) << Describe(result);
    return result;
  }

  BerthRunner berth_;
  std::unique_ptr<BackgroundServer> health_;
  std::unique_ptr<TestPeer> registry_;
  std::string repository_, image1_, image2_;  // Set once the registry runs.
};

TEST_F(MicrosE2eTest, DeployCreatesTheServiceDeploysAndWaitsUntilHealthy) {
  auto health = StartHealth({"--healthy-after", "2"});
  WriteProject("    health:\n      timeout: 20s\n      interval: 1s\n");
  ProcessResult sync = Sync();

  auto deployed = berth_.Run({"deploy", "staging", "--image", image1_, "--version", "1.4.2", "-o", "json", "-vvv"});
  ASSERT_EQ(deployed.exit_code, 0) << Describe(deployed);
  auto outcome = nlohmann::json::parse(deployed.stdout_data);
  EXPECT_EQ(outcome["environment"], "staging");
  EXPECT_EQ(outcome["revision"], "1");
  EXPECT_EQ(outcome["url"], health["url"]);
  EXPECT_EQ(outcome["healthy"], true);
  EXPECT_EQ(outcome["details"]["created"], false);  // The first stash set created it.
  EXPECT_EQ(outcome["details"]["health"]["url"], health["health_url"]);
  EXPECT_EQ(outcome["details"]["health"]["attempts"], 3);
  EXPECT_EQ(outcome["details"]["image"], image1_);

  // Every atlas call shows at -v, with the CLI's flag shapes.
  EXPECT_NE(deployed.stderr_data.find("info: " + kAtlas + " micros service show --service shop-api --env stg-west --output json\n"),
            std::string::npos) << deployed.stderr_data;
  auto log = AtlasLog();
  ASSERT_GE(log.size(), 4u);
  const auto& deploy = log[log.size() - 2];
  EXPECT_EQ(deploy["command"], "micros service deploy");
  EXPECT_EQ(deploy["exit_code"], 0);
  const std::string descriptor_path = deploy["files"][0]["path"];
  EXPECT_EQ(deploy["args"], nlohmann::json({"micros", "service", "deploy", "--service", "shop-api", "--env", "stg-west", "--file",
                                            descriptor_path, "--output", "json"}));
  EXPECT_EQ(fs::path(descriptor_path).filename(), "service-descriptor.yml");
  EXPECT_FALSE(fs::exists(descriptor_path));
  const std::string descriptor = ReadFile(deploy["files"][0]["copy"].get<std::string>());
  for (const std::string& expected : std::vector<std::string>{"name: shop-api\n", "    image: " + repository_ + "\n", "    tag: app-1.4.2\n",
                                      "DB_PASSWORD: \"((ssm:/shop-api/DB_PASSWORD))\"", "TLS_KEY: \"((ssm:/shop-api/TLS_KEY))\"",
                                      "    uri: /api/health\n", "  max: 2\n"}) {
    EXPECT_NE(descriptor.find(expected), std::string::npos) << expected << " not in\n" << descriptor;
  }
  EXPECT_EQ(log.back()["command"], "micros service show");
  EXPECT_EQ(TmpEntries(), std::vector<std::string>{});
  ExpectNoSecrets({sync.stdout_data, sync.stderr_data, deployed.stdout_data, deployed.stderr_data, descriptor});

  // A second deploy: no create, the next revision; status, url and history read it back.
  size_t calls_before = AtlasLog().size();
  outcome = berth_.Json({"deploy", "staging", "--image", image2_, "--version", "1.5.0"});
  EXPECT_EQ(outcome["revision"], "2");
  EXPECT_EQ(outcome["healthy"], true);
  std::vector<std::string> calls = AtlasCalls();
  EXPECT_EQ(std::vector<std::string>(calls.begin() + long(calls_before), calls.end()),
            (std::vector<std::string>{"micros service show=0", "micros stash list=0", "micros service deploy=0", "micros service show=0"}));
  auto status = berth_.Json({"status", "staging"});
  EXPECT_EQ(status["ready"], true);
  EXPECT_EQ(status["revision"], "2");
  EXPECT_EQ(status["image"], image2_);
  EXPECT_EQ(status["url"], health["url"]);
  auto url = berth_.Run({"url", "staging"});
  EXPECT_EQ(url.stdout_data, health["url"].get<std::string>() + "\n");
  auto history = berth_.Json({"history", "staging"});
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0]["revision"], "1");
  EXPECT_EQ(history[0]["version"], "1.4.2");
  EXPECT_EQ(history[0]["image"], image1_);
  EXPECT_EQ(history[0]["current"], false);
  EXPECT_EQ(history[1]["version"], "1.5.0");
  EXPECT_EQ(history[1]["current"], true);
}

TEST_F(MicrosE2eTest, ServiceMissingIsCreatedWithNoSd) {
  WriteProject("    health:\n      url: http://127.0.0.1:9/never-asked\n");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml",
                  ReadFile(berth_.work_dir() / "berth.yaml") + "  dev:\n    target: {plugin: micros, atlas: " + kAtlas + "}\n");
  auto result = berth_.Run({"deploy", "dev", "--image", image1_, "--version", "1.0.0", "--no-health", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["details"]["created"], true);
  EXPECT_EQ(AtlasCalls(), (std::vector<std::string>{"micros service show=1", "micros service create=0", "micros service deploy=0",
                                                    "micros service show=0"}));
  EXPECT_EQ(AtlasLog()[1]["args"], nlohmann::json({"micros", "service", "create", "--service", "shop-api", "--no-sd", "--output", "json"}));
  EXPECT_EQ(AtlasLog()[2]["args"][6], "dev");  // No env mapping: berth's environment name.
}

// Micros services answer on /api/health by convention: berth waits for it
// even when berth.yaml has no health block.
TEST_F(MicrosE2eTest, WithoutAHealthBlockDeployWaitsOnApiHealth) {
  auto health = StartHealth({"--healthy-after", "1"});
  WriteProject("");
  Sync();
  auto outcome = berth_.Json({"deploy", "staging", "--image", image1_, "--version", "1.4.2"});
  EXPECT_EQ(outcome["healthy"], true);
  EXPECT_EQ(outcome["details"]["health"]["url"], health["health_url"]);
  EXPECT_EQ(health["health_url"], health["url"].get<std::string>() + "/api/health");
  EXPECT_EQ(outcome["details"]["health"]["attempts"], 2);
}

TEST_F(MicrosE2eTest, UnhealthyServiceTimesOutWithExit8) {
  auto health = StartHealth({"--status", "503"});
  WriteProject("    health:\n      timeout: 2s\n      interval: 1s\n");
  Sync();
  auto start = std::chrono::steady_clock::now();
  auto result = berth_.Run({"deploy", "staging", "--image", image1_, "--version", "1.4.2", "-o", "json"});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.exit_code, 8) << Describe(result);
  // Probes at 0, 1 and 2 s; a loaded machine may fit fewer.
  EXPECT_TRUE(std::regex_match(result.stderr_data, std::regex("Waiting for " + health["health_url"].get<std::string>() + " to be healthy: HTTP 503\n"
                                                               "error: health check of " + health["health_url"].get<std::string>() +
                                                               " failed: still HTTP 503 after 2s \\([23] probes\\)\n")))
      << result.stderr_data;
  auto outcome = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(outcome["healthy"], false);
  EXPECT_EQ(outcome["revision"], "1");  // Deployed, just not healthy.
  EXPECT_GE(took, std::chrono::seconds(2));
  EXPECT_LT(took, std::chrono::seconds(15));

  // --no-health deploys without waiting.
  result = berth_.Run({"deploy", "staging", "--image", image1_, "--version", "1.4.2", "--no-health", "-o", "json"});
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["details"]["health"], "not checked");
}

TEST_F(MicrosE2eTest, StashSetAndSyncKeepValuesOffArgvAndLogs) {
  // A PEM key from stdin, kept byte for byte.
  auto set = berth_.Run({"secrets", "set", "staging", "TLS_KEY", "--keep-newline", "-vvv"}, kPem);
  ASSERT_EQ(set.exit_code, 0) << Describe(set);
  auto log = AtlasLog();
  ASSERT_EQ(log.size(), 3u);  // set (no service yet), create, set
  EXPECT_EQ(AtlasCalls(), (std::vector<std::string>{"micros stash set=1", "micros service create=0", "micros stash set=0"}));
  const auto& file = log[2]["files"][0];
  EXPECT_EQ(file["flag"], "-f");
  EXPECT_EQ(file["mode"], "0600");
  EXPECT_EQ(fs::path(file["path"].get<std::string>()).parent_path(), Tmp());
  EXPECT_EQ(nlohmann::json::parse(ReadFile(file["copy"].get<std::string>())), nlohmann::json({{"TLS_KEY", kPem}}));
  EXPECT_EQ(AtlasState()["services"]["shop-api"]["envs"]["stg-west"]["stash"]["TLS_KEY"], kPem);
  EXPECT_EQ(TmpEntries(), std::vector<std::string>{});

  // sync sets the listed keys of .env.local (berth.yaml's secrets.from), multi-line PEM included.
  auto sync = berth_.Run({"secrets", "sync", "staging", "-o", "json", "-vvv"});
  ASSERT_EQ(sync.exit_code, 0) << Describe(sync);
  EXPECT_EQ(nlohmann::json::parse(sync.stdout_data),
            nlohmann::json::parse(R"([{"name":"DB_PASSWORD","change":"added","applied":true},
                                      {"name":"TLS_KEY","change":"changed","applied":true}])"));
  auto stash = AtlasState()["services"]["shop-api"]["envs"]["stg-west"]["stash"];
  EXPECT_EQ(stash, nlohmann::json({{"DB_PASSWORD", kDbPassword}, {"TLS_KEY", kPem}}));
  EXPECT_EQ(berth_.Json({"secrets", "list", "staging"}), nlohmann::json::parse(R"([{"name":"DB_PASSWORD"},{"name":"TLS_KEY"}])"));
  // The same by hand: --from and the keys to take from it.
  EXPECT_EQ(berth_.Json({"secrets", "sync", "staging", "--from", ".env.local", "--key", "TLS_KEY"}),
            nlohmann::json::parse(R"([{"name":"TLS_KEY","change":"changed","applied":true}])"));
  EXPECT_EQ(AtlasState()["services"]["shop-api"]["envs"]["stg-west"]["stash"]["TLS_KEY"], kPem);
  auto diff = berth_.Json({"secrets", "diff", "staging", "--from", ".env.local"});
  EXPECT_EQ(diff, nlohmann::json::parse(R"([{"name":"DB_PASSWORD","change":"changed"},{"name":"TLS_KEY","change":"changed"},
                                            {"name":"UNLISTED","change":"added"}])"));
  for (const auto& entry : AtlasLog()) {
    for (const auto& given : entry["files"]) EXPECT_EQ(given["mode"], "0600") << entry.dump();
  }
  EXPECT_EQ(TmpEntries(), std::vector<std::string>{});
  ExpectNoSecrets({set.stdout_data, set.stderr_data, sync.stdout_data, sync.stderr_data, diff.dump()});

  auto deleted = berth_.Run({"secrets", "delete", "staging", "DB_PASSWORD"});
  EXPECT_EQ(deleted.exit_code, 0) << Describe(deleted);
  deleted = berth_.Run({"secrets", "delete", "staging", "DB_PASSWORD"});
  EXPECT_EQ(deleted.exit_code, 6);
  EXPECT_EQ(deleted.stderr_data, "error: micros: delete: no stash key 'DB_PASSWORD' for Micros service shop-api in stg-west\n");
}

// berth.yaml's secrets.from names the .asap-config beside the env file: sync
// puts the ASAP_* variables a service reads into the stash, the key as a
// data URI, with no copy of it on disk and none in argv or logs; the stored
// values mint tokens that verify against the config's public key.
TEST_F(MicrosE2eTest, SyncPutsTheAsapConfigIntoTheStashWithoutACopy) {
  auto keygen = berth_.Run({"asap", "keygen", "--issuer", "micros/shop-api", "--key-id", "micros/shop-api/key1", "-a", "ai-gateway",
                            "--public-key-out", "asap.pub"});
  ASSERT_EQ(keygen.exit_code, 0) << Describe(keygen);
  auto config = nlohmann::json::parse(ReadFile(berth_.work_dir() / ".asap-config"));
  const std::string pem = config["privateKey"];
  const std::string uri = jwt::MakePkcs8DataUri(jwt::PrivateKey::FromPem(pem, "config"), {{"kid", "micros/shop-api/key1"}}).Reveal();
  const std::string der_base64 = uri.substr(uri.find(";base64,") + 8);
  std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml");
  for (auto [from, to] : {std::pair<std::string, std::string>{"from: .env.local\n", "from: [.env.local, .asap-config]\n"},
                          {"keys: [DB_PASSWORD, TLS_KEY]\n", "keys: [DB_PASSWORD, ASAP_PRIVATE_KEY, ASAP_KEY_ID, ASAP_ISSUER, ASAP_AUDIENCE]\n"}}) {
    ASSERT_NE(yaml.find(from), std::string::npos);
    yaml.replace(yaml.find(from), from.size(), to);
  }
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml);

  auto diff = berth_.Json({"secrets", "diff", "staging"});
  EXPECT_EQ(diff, nlohmann::json::parse(R"([{"name":"ASAP_AUDIENCE","change":"added"},{"name":"ASAP_ISSUER","change":"added"},
                                            {"name":"ASAP_KEY_ID","change":"added"},{"name":"ASAP_PRIVATE_KEY","change":"added"},
                                            {"name":"DB_PASSWORD","change":"added"}])"));
  auto sync = berth_.Run({"secrets", "sync", "staging", "-o", "json", "-vvv"});
  ASSERT_EQ(sync.exit_code, 0) << Describe(sync);
  EXPECT_EQ(nlohmann::json::parse(sync.stdout_data).size(), 5u);
  auto stash = AtlasState()["services"]["shop-api"]["envs"]["stg-west"]["stash"];
  EXPECT_EQ(stash, nlohmann::json({{"DB_PASSWORD", kDbPassword},
                                   {"ASAP_ISSUER", "micros/shop-api"},
                                   {"ASAP_KEY_ID", "micros/shop-api/key1"},
                                   {"ASAP_AUDIENCE", "ai-gateway"},
                                   {"ASAP_PRIVATE_KEY", uri}}));
  // The stash cannot be read back: what it has counts as changed.
  EXPECT_EQ(berth_.Json({"secrets", "diff", "staging"}),
            nlohmann::json::parse(R"([{"name":"ASAP_AUDIENCE","change":"changed"},{"name":"ASAP_ISSUER","change":"changed"},
                                      {"name":"ASAP_KEY_ID","change":"changed"},{"name":"ASAP_PRIVATE_KEY","change":"changed"},
                                      {"name":"DB_PASSWORD","change":"changed"}])"));

  // Nothing of the key in atlas's argv, berth's output at -vvv, or a leftover file.
  for (const auto& entry : AtlasLog()) {
    for (const auto& arg : entry["argv"]) {
      EXPECT_EQ(arg.get<std::string>().find(der_base64.substr(0, 40)), std::string::npos) << entry.dump();
    }
    for (const auto& given : entry["files"]) EXPECT_EQ(given["mode"], "0600") << entry.dump();
  }
  for (const std::string& text : {sync.stdout_data, sync.stderr_data}) {
    EXPECT_EQ(text.find(der_base64.substr(0, 40)), std::string::npos) << text;
    EXPECT_EQ(text.find(pem.substr(28, 40)), std::string::npos) << text;
  }
  EXPECT_EQ(TmpEntries(), std::vector<std::string>{});
  std::vector<std::string> work_files;
  for (const auto& entry : fs::directory_iterator(berth_.work_dir())) work_files.push_back(entry.path().filename().string());
  std::sort(work_files.begin(), work_files.end());
  EXPECT_EQ(work_files, (std::vector<std::string>{".asap-config", ".env.local", ".gitignore", "asap.pub", "berth.yaml"}));

  // A service deployed with the stored values mints tokens that verify.
  fs::rename(berth_.work_dir() / ".asap-config", berth_.home() / "asap-config.json");
  for (const char* name : {"ASAP_ISSUER", "ASAP_KEY_ID", "ASAP_PRIVATE_KEY", "ASAP_AUDIENCE"}) berth_.SetEnv(name, stash[name]);
  auto token = berth_.Run({"asap", "token"});
  ASSERT_EQ(token.exit_code, 0) << Describe(token);
  auto verified = berth_.Run({"asap", "verify", "-a", "ai-gateway", "--public-key", "asap.pub", "-o", "json"}, token.stdout_data);
  ASSERT_EQ(verified.exit_code, 0) << Describe(verified);
  EXPECT_EQ(nlohmann::json::parse(verified.stdout_data)["kid"], "micros/shop-api/key1");
  for (const char* name : {"ASAP_ISSUER", "ASAP_KEY_ID", "ASAP_PRIVATE_KEY", "ASAP_AUDIENCE"}) berth_.SetEnv(name, "");
  fs::rename(berth_.home() / "asap-config.json", berth_.work_dir() / ".asap-config");

  // --from and --key across both kinds of file.
  EXPECT_EQ(berth_.Json({"secrets", "diff", "staging", "--from", ".env.local", "--from", ".asap-config", "--key", "ASAP_KEY_ID", "--key",
                         "UNLISTED"}),
            nlohmann::json::parse(R"([{"name":"ASAP_KEY_ID","change":"changed"},{"name":"UNLISTED","change":"added"},
                                      {"name":"ASAP_AUDIENCE","change":"removed"},{"name":"ASAP_ISSUER","change":"removed"},
                                      {"name":"ASAP_PRIVATE_KEY","change":"removed"},{"name":"DB_PASSWORD","change":"removed"}])"));
  auto missing = berth_.Run({"secrets", "sync", "staging", "--from", ".env.local", "--from", ".asap-config", "--key", "ASAP_SUBJECT"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(missing.stderr_data, "error: no key ASAP_SUBJECT in .env.local, .asap-config\n");
  // The same key from two files is the user's call, not berth's.
  WriteFileAtomic(berth_.work_dir() / ".env.copy", "ASAP_PRIVATE_KEY=" + uri + "\n", 0600);
  auto twice = berth_.Run({"secrets", "sync", "staging", "--from", ".env.copy", "--from", ".asap-config"});
  EXPECT_EQ(twice.exit_code, 3);
  EXPECT_EQ(twice.stderr_data, "error: ASAP_PRIVATE_KEY is set by both .env.copy and .asap-config (keep it in one of them)\n");
  // A malformed config: one line naming the file and the field.
  config.erase("kid");
  WriteFileAtomic(berth_.work_dir() / ".asap-config", config.dump(2), 0600);
  auto malformed = berth_.Run({"secrets", "sync", "staging", "-vvv"});
  EXPECT_EQ(malformed.exit_code, 3);
  EXPECT_EQ(malformed.stderr_data.substr(malformed.stderr_data.find("error: ")),
            "error: " + (berth_.work_dir() / ".asap-config").string() + ": field 'kid' is missing\n");
  EXPECT_EQ(malformed.stderr_data.find(pem.substr(28, 40)), std::string::npos);
}

TEST_F(MicrosE2eTest, AtlasFailuresLeaveNoTemporaryFile) {
  berth_.SetEnv("ATLAS_STANDIN_FAIL", "stash-set");
  auto set = berth_.Run({"secrets", "set", "staging", "TLS_KEY", "--keep-newline", "-vvv"}, kPem);
  EXPECT_EQ(set.exit_code, 1);
  EXPECT_NE(set.stderr_data.find("error: micros: set: atlas micros stash set failed: stash set failed: internal server error from Micros "
                                 "(injected by ATLAS_STANDIN_FAIL)\n"), std::string::npos) << set.stderr_data;
  EXPECT_EQ(AtlasLog().back()["files"][0]["mode"], "0600");  // atlas had the file,
  EXPECT_EQ(TmpEntries(), std::vector<std::string>{});        // and it is gone.

  berth_.SetEnv("ATLAS_STANDIN_FAIL", "");
  Sync();
  berth_.SetEnv("ATLAS_STANDIN_FAIL", "deploy");
  auto deployed = berth_.Run({"deploy", "staging", "--image", image1_, "--version", "1.4.2", "-vvv"});
  EXPECT_EQ(deployed.exit_code, 8);
  EXPECT_NE(deployed.stderr_data.find("error: micros: deploy: atlas micros service deploy failed: deploy failed: internal server error from Micros "
                                      "(injected by ATLAS_STANDIN_FAIL)\n"), std::string::npos) << deployed.stderr_data;
  EXPECT_EQ(TmpEntries(), std::vector<std::string>{});
  ExpectNoSecrets({set.stderr_data, deployed.stderr_data});
}

TEST_F(MicrosE2eTest, InterruptMidCallRemovesTheFile) {
  WriteFileAtomic(berth_.home() / "tls.pem", kPem, 0600);
  auto env = berth_.env();
  env["ATLAS_STANDIN_SLEEP"] = "stash-set=30";
  ChildProcess::Options options;
  options.env = env;
  options.cwd = berth_.work_dir();
  options.own_process_group = true;  // Ctrl-C reaches berth and atlas, as in a terminal.
  options.stdout_file = berth_.home() / "berth.out";
  options.stderr_file = berth_.home() / "berth.err";
  ChildProcess berth({BERTH_BINARY, "secrets", "set", "staging", "TLS_KEY", "--from-file", (berth_.home() / "tls.pem").string(), "-vvv"},
                     options);
  const fs::path sleeping = State() / "sleeping.json";
  // Up to 30 s: under a loaded -j2 suite berth and the python stand-in can take seconds to get there.
  for (int i = 0; i < 1500 && !fs::exists(sleeping); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(sleeping)) << ReadFile(berth_.home() / "berth.err");
  // Mid-call: the stash file exists, private.
  auto entries = TmpEntries();
  ASSERT_EQ(entries.size(), 1u);
  struct stat info {};
  ASSERT_EQ(stat((Tmp() / entries[0]).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  berth.Signal(SIGINT);
  EXPECT_EQ(berth.Wait(std::chrono::seconds(10)), 130);
  EXPECT_EQ(TmpEntries(), std::vector<std::string>{});
  // The interrupted atlas is gone too (its marker is removed as it exits).
  for (int i = 0; i < 250 && fs::exists(sleeping); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(fs::exists(sleeping));
  ExpectNoSecrets({ReadFile(berth_.home() / "berth.out"), ReadFile(berth_.home() / "berth.err")});
}

TEST_F(MicrosE2eTest, RollbackRedeploysAnEarlierRevision) {
  Sync();
  ASSERT_EQ(berth_.Json({"deploy", "staging", "--image", image1_, "--version", "1.0.0"})["revision"], "1");
  ASSERT_EQ(berth_.Json({"deploy", "staging", "--image", image2_, "--version", "1.1.0"})["revision"], "2");

  // Default: the revision before the live one, redeployed from its exact descriptor.
  auto outcome = berth_.Json({"rollback", "staging"});
  EXPECT_EQ(outcome["revision"], "3");
  EXPECT_EQ(outcome["details"]["rollback"], nlohmann::json({{"revision", "1"}, {"image", image1_}, {"version", "1.0.0"}}));
  auto deployments = AtlasState()["services"]["shop-api"]["envs"]["stg-west"]["deployments"];
  ASSERT_EQ(deployments.size(), 3u);
  EXPECT_EQ(deployments[2]["descriptorSha256"], deployments[0]["descriptorSha256"]);
  EXPECT_EQ(berth_.Json({"status", "staging"})["image"], image1_);

  outcome = berth_.Json({"rollback", "staging", "--revision", "2"});
  EXPECT_EQ(outcome["details"]["rollback"]["version"], "1.1.0");
  // By image and version (what the release ledger holds).
  outcome = berth_.Json({"rollback", "staging", "--image", image1_, "--version", "1.0.0"});
  EXPECT_EQ(outcome["revision"], "5");
  EXPECT_NE(ReadFile(AtlasLog()[AtlasLog().size() - 2]["files"][0]["copy"].get<std::string>()).find("tag: app-1.0.0"), std::string::npos);

  auto result = berth_.Run({"rollback", "staging", "--revision", "9"});
  EXPECT_EQ(result.exit_code, 6);
  EXPECT_EQ(result.stderr_data, "error: micros: rollback: revision 9 is not in the history of shop-api in stg-west (see berth history)\n");
  result = berth_.Run({"rollback", "staging", "--revision", "5"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data, "error: micros: rollback: revision 5 is the one live in stg-west; nothing to roll back\n");

  // Without this machine's records atlas cannot say what revision 2 was: refuse, do not guess.
  fs::remove_all(berth_.home() / "state-home");
  size_t calls = AtlasLog().size();
  result = berth_.Run({"rollback", "staging", "--revision", "2"});
  EXPECT_EQ(result.exit_code, 6);
  const std::string sha = deployments[1]["descriptorSha256"].get<std::string>().substr(0, 12);
  EXPECT_EQ(result.stderr_data, "error: micros: rollback: revision 2 (descriptor sha256:" + sha +
                                    ") was not deployed from this machine and atlas does not return old descriptors; roll back "
                                    "by image instead: berth rollback staging --image REPOSITORY@sha256:... --version VERSION\n");
  EXPECT_EQ(AtlasLog().size(), calls + 1);  // Only the show.
}

TEST_F(MicrosE2eTest, ReleaseLedgerDrivesDeployAndRollback) {
  WriteLedger();
  Sync();
  EXPECT_EQ(berth_.Json({"deploy", "staging", "--version", "1.0.0"})["details"]["image"], image1_);
  EXPECT_EQ(berth_.Json({"deploy", "staging", "--version", "1.1.0"})["details"]["image"], image2_);
  // No revision, no image: the host picks the last release that was good here from the ledger.
  auto outcome = berth_.Json({"rollback", "staging"});
  EXPECT_EQ(outcome["revision"], "3");
  // The descriptor 1.0.0 was deployed with, as the ledger recorded it.
  EXPECT_EQ(outcome["details"]["rollback"], nlohmann::json({{"image", image1_}, {"version", "1.0.0"}, {"recorded_spec", true}}));
  EXPECT_NE(ReadFile(AtlasLog()[AtlasLog().size() - 2]["files"][0]["copy"].get<std::string>()).find("tag: app-1.0.0"),
            std::string::npos);
  auto recorded = nlohmann::json::parse(ReadFile(berth_.work_dir() / "releases.json"));
  ASSERT_EQ(recorded["releases"][0]["deployments"].size(), 2u);
  EXPECT_EQ(recorded["releases"][0]["deployments"][1]["result"], "rollback");
  EXPECT_EQ(recorded["releases"][0]["deployments"][1]["revision"], "3");
}

// The platform is the source of truth for what runs, the committed ledger
// for what it was: another checkout (CI, a colleague: another HOME, no local
// deploy records) sees the same status and history, and can roll back by
// revision; the checkout that did not pull says its ledger is behind.
TEST_F(MicrosE2eTest, AnotherCheckoutSeesWhatRunsAndRollsBackByRevision) {
  WriteLedger();
  Sync();
  ASSERT_EQ(berth_.Json({"deploy", "staging", "--version", "1.0.0"})["revision"], "1");
  ASSERT_EQ(berth_.Json({"deploy", "staging", "--version", "1.1.0"})["revision"], "2");

  BerthRunner other;
  other.TrustProjects();
  for (const auto& [name, value] : berth_.env()) other.SetEnv(name, value);
  other.SetEnv("XDG_STATE_HOME", (other.home() / "state-home").string());  // Not this machine's records.
  WriteFileAtomic(other.home() / "config" / "berth" / "registries.yaml", ReadFile(berth_.home() / "config" / "berth" / "registries.yaml"));
  for (const char* file : {"berth.yaml", "releases.json"}) WriteFileAtomic(other.work_dir() / file, ReadFile(berth_.work_dir() / file));

  for (const BerthRunner* machine : {&berth_, &other}) {
    nlohmann::json status = machine->Json({"status", "staging"});
    EXPECT_EQ(status["version"], "1.1.0") << status.dump();
    EXPECT_EQ(status["image"], image2_);
    EXPECT_EQ(status["ledger"], "current");
    nlohmann::json history = machine->Json({"history", "staging"});
    ASSERT_EQ(history.size(), 2u) << history.dump();
    for (const auto& revision : history) {
      EXPECT_EQ(revision["version"], revision["revision"] == "1" ? "1.0.0" : "1.1.0") << history.dump();
      EXPECT_EQ(revision["image"], revision["revision"] == "1" ? image1_ : image2_) << history.dump();
    }
  }
  // atlas keeps no old descriptors, the other checkout has no records of its own: the ledger's is redeployed.
  nlohmann::json rolled = other.Json({"rollback", "staging", "--revision", "1"});
  EXPECT_EQ(rolled["revision"], "3");
  EXPECT_EQ(rolled["details"]["rollback"], nlohmann::json({{"image", image1_}, {"version", "1.0.0"}, {"recorded_spec", true}}));
  EXPECT_EQ(other.Json({"status", "staging"})["version"], "1.0.0");

  // This checkout has not pulled the other's releases.json: it says so.
  ProcessResult behind = berth_.Run({"status", "staging", "-o", "json"});
  ASSERT_EQ(behind.exit_code, 0) << Describe(behind);
  EXPECT_EQ(nlohmann::json::parse(behind.stdout_data)["ledger"], "behind");
  EXPECT_NE(behind.stderr_data.find("warning: releases.json has no record of revision 3 in staging: the ledger is behind the platform"),
            std::string::npos)
      << behind.stderr_data;
}

// A deploy whose configuration, not its image, breaks it (a health path the
// service does not answer, and other scaling): berth rollback redeploys the
// descriptor that ran before, and asks health where it was asked then.
TEST_F(MicrosE2eTest, RollbackRedeploysTheRecordedDescriptor) {
  WriteLedger();
  const std::string health = "    health:\n      timeout: 2s\n      interval: 1s\n";
  WriteProject(health);
  Sync();
  ASSERT_EQ(berth_.Json({"deploy", "staging", "--version", "1.0.0"})["healthy"], true);
  auto recorded = nlohmann::json::parse(ReadFile(berth_.work_dir() / "releases.json"))["releases"][0]["deployments"][0];
  EXPECT_NE(recorded["spec"]["descriptor"].dump().find("tag: app-1.0.0"), std::string::npos) << recorded.dump(2);
  EXPECT_EQ(recorded["spec"]["health_path"], "/api/health");
  EXPECT_EQ(recorded["settings"]["env"], "stg-west");

  std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml");
  const std::string scaling = "      scaling: {min: 1, max: 2}\n";
  yaml.replace(yaml.find(scaling), scaling.size(), "      scaling: {min: 1, max: 3}\n      health_path: /not-here\n");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml);
  auto result = berth_.Run({"deploy", "staging", "--version", "1.1.0"});
  ASSERT_EQ(result.exit_code, 8) << Describe(result);

  result = berth_.Run({"rollback", "staging", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["details"]["health"]["url"], health_->url() + "/api/health");
  auto deployments = AtlasState()["services"]["shop-api"]["envs"]["stg-west"]["deployments"];
  ASSERT_EQ(deployments.size(), 3u);
  EXPECT_EQ(deployments[2]["descriptorSha256"], deployments[0]["descriptorSha256"]);
  auto after = nlohmann::json::parse(ReadFile(berth_.work_dir() / "releases.json"));
  EXPECT_EQ(after["releases"][1]["deployments"][0]["state"], "rolled-back");
  EXPECT_EQ(after["releases"][0]["deployments"][1]["kind"], "rollback");
  EXPECT_EQ(after["releases"][0]["deployments"][1]["state"], "healthy");
  EXPECT_EQ(after["releases"][0]["deployments"][1]["from"], "1.1.0");

  // Without a recorded descriptor (a ledger from before), today's berth.yaml renders it, and stderr says so.
  for (auto& release : after["releases"]) {
    for (auto& deployment : release["deployments"]) deployment.erase("spec");
  }
  WriteFileAtomic(berth_.work_dir() / "releases.json", after.dump());
  result = berth_.Run({"rollback", "staging", "--to", "1.0.0", "--no-health"});
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_TRUE(result.stderr_data.find("staging: releases.json holds no recorded specification of 1.0.0 here; the rollback deploys its "
                                      "image with today's berth.yaml") != std::string::npos)
      << result.stderr_data;
}

TEST_F(MicrosE2eTest, DeployRefusesBeforeChangingAnything) {
  // Secrets the descriptor refers to are not set: nothing is created or deployed.
  auto result = berth_.Run({"deploy", "staging", "--image", image1_, "--version", "1.0.0"});
  EXPECT_EQ(result.exit_code, 6);
  EXPECT_EQ(result.stderr_data, "error: micros: deploy: the descriptor refers to stash keys not set for shop-api in stg-west: DB_PASSWORD, TLS_KEY "
                                "(set them first: berth secrets set|sync staging)\n");
  EXPECT_EQ(AtlasCalls(), (std::vector<std::string>{"micros service show=1", "micros stash list=1"}));

  result = berth_.Run({"deploy", "staging", "--image", repository_ + ":latest", "--version", "1.0.0"});
  EXPECT_EQ(result.exit_code, 3);
  result = berth_.Run({"deploy", "staging", "--image", image1_});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data, "error: micros: deploy: micros tags the image app-<version> in the descriptor: pass --version\n");

  WriteProject("", "/nonexistent/bin/atlas");
  result = berth_.Run({"deploy", "staging", "--image", image1_, "--version", "1.0.0"});
  EXPECT_EQ(result.exit_code, 6);
  EXPECT_EQ(result.stderr_data,
            "error: micros: deploy: atlas CLI not found: '/nonexistent/bin/atlas' (install it, or set the environment's target.atlas to its path)\n");
  EXPECT_EQ(AtlasLog().size(), 2u);
}

// Micros pulls the descriptor's tag, berth records a digest: the deploy is
// refused, before atlas runs, unless the tag names the recorded digest.
TEST_F(MicrosE2eTest, ADescriptorTagThatNamesAnotherImageIsRefused) {
  // 1.0.0's descriptor tag (app-1.0.0) names image 1, not image 2.
  auto result = berth_.Run({"deploy", "staging", "--image", image2_, "--version", "1.0.0"});
  EXPECT_EQ(result.exit_code, 5) << Describe(result);
  const std::string digest1 = image1_.substr(image1_.find('@') + 1), digest2 = image2_.substr(image2_.find('@') + 1);
  EXPECT_NE(result.stderr_data.find(" deploys " + repository_ + ":app-1.0.0, which names " + digest1 + ", not the recorded " + digest2 +
                                    "; deploy the version whose image that is, or fix the descriptor's tag\n"),
            std::string::npos)
      << result.stderr_data;
  EXPECT_EQ(result.stderr_data.rfind("error: micros: deploy: the service descriptor:", 0), 0u) << result.stderr_data;
  result = berth_.Run({"deploy", "staging", "--image", image1_, "--version", "9.9.9"});
  EXPECT_EQ(result.exit_code, 6) << Describe(result);
  EXPECT_NE(result.stderr_data.find(" deploys " + repository_ + ":app-9.9.9, which its registry does not have\n"), std::string::npos)
      << result.stderr_data;
  EXPECT_TRUE(AtlasLog().empty()) << "atlas ran before the check";

  // A template that writes the tag out deploys that image whatever version is asked: flagged, and caught.
  WriteFileAtomic(berth_.work_dir() / "service-descriptor.tmpl.yml",
                  "name: {{ service }}\nlinks:\n  healthcheck:\n    uri: /healthcheck\ncompose:\n  web:\n    image: {{ image }}\n"
                  "    tag: app-1.4.2\nscaling: {min: 1, max: 1}\n");
  result = berth_.Run({"deploy", "staging", "--image", image2_, "--version", "1.5.0"});
  EXPECT_EQ(result.exit_code, 5) << Describe(result);
  EXPECT_NE(result.stderr_data.find("service-descriptor.tmpl.yml:8:5: tag is written out (app-1.4.2): every deploy runs that image "
                                    "whatever version is asked for; use {{ tag }}\n"),
            std::string::npos)
      << result.stderr_data;
  EXPECT_NE(result.stderr_data.find(" deploys " + repository_ + ":app-1.4.2, which names " + digest1), std::string::npos) << result.stderr_data;
  EXPECT_TRUE(AtlasLog().empty());
}

TEST_F(MicrosE2eTest, DryRunShowsThePlanAndTheDescriptor) {
  Sync();
  auto calls = AtlasLog().size();
  auto plan = berth_.Json({"deploy", "staging", "--image", image1_, "--version", "2.0.0", "--dry-run"});
  ASSERT_EQ(plan["actions"].size(), 3u) << plan.dump(2);
  EXPECT_EQ(plan["actions"][0].get<std::string>().rfind("deploy " + image1_ + " to shop-api in stg-west (descriptor sha256:", 0), 0u);
  // What would run, by path.
  EXPECT_EQ(plan["actions"][1], "run " + kAtlas + " micros service deploy --service shop-api --env stg-west --file service-descriptor.yml");
  EXPECT_EQ(plan["actions"][2], "wait up to 120s for " + health_->url() + "/api/health to answer 2xx");
  EXPECT_NE(plan["documents"][0]["content"].get<std::string>().find("tag: app-2.0.0"), std::string::npos);
  EXPECT_EQ(plan["documents"][0]["source"], "inline");
  for (size_t i = calls; i < AtlasLog().size(); ++i) {
    EXPECT_NE(AtlasLog()[i]["command"], "micros service deploy");
    EXPECT_NE(AtlasLog()[i]["command"], "micros service create");
  }
}

TEST_F(MicrosE2eTest, DescriptorTemplateRenderAndValidate) {
  WriteFileAtomic(berth_.work_dir() / "service-descriptor.tmpl.yml",
                  "name: {{ service }}\n"
                  "links:\n"
                  "  healthcheck:\n"
                  "    uri: /healthcheck\n"
                  "compose:\n"
                  "  web:\n"
                  "    image: {{ image }}\n"
                  "    tag: {{ tag }}\n"
                  "    environment:\n"
                  "      DB_PASSWORD: {{ ssm DB_PASSWORD }}\n"
                  "      MICROS_ENV: {{ env }}\n"
                  "scaling: {min: 1, max: 1}\n");
  auto rendered = berth_.Run({"micros", "descriptor", "render", "--env", "staging", "--image", image1_, "--version", "3.1.4"});
  ASSERT_EQ(rendered.exit_code, 0) << Describe(rendered);
  EXPECT_EQ(rendered.stdout_data,
            "name: shop-api\nlinks:\n  healthcheck:\n    uri: /healthcheck\ncompose:\n  web:\n    image: " + repository_ +
                "\n    tag: app-3.1.4\n    environment:\n      DB_PASSWORD: ((ssm:/shop-api/DB_PASSWORD))\n      MICROS_ENV: stg-west\n"
                "scaling: {min: 1, max: 1}\n");
  auto json = berth_.Json({"micros", "descriptor", "render", "--env", "staging", "--image", image1_, "--version", "3.1.4"});
  EXPECT_EQ(json["source"], (berth_.work_dir() / "service-descriptor.tmpl.yml").string());
  EXPECT_EQ(json["descriptor"], rendered.stdout_data);

  // The template's mistakes are reported against the template, and block the deploy.
  WriteFileAtomic(berth_.work_dir() / "service-descriptor.tmpl.yml",
                  "name: {{ service }}\ncompose:\n  web:\n    tag: {{ tag }}\n    image: {{ imag }}\n");
  auto bad = berth_.Run({"deploy", "staging", "--image", image1_, "--version", "3.1.4"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(bad.stderr_data, "error: micros: deploy: service-descriptor.tmpl.yml:5:12: unknown placeholder {{ imag }} (service, env, image, digest, "
                             "reference, version, tag, ssm KEY)\n");
  WriteFileAtomic(berth_.work_dir() / "service-descriptor.tmpl.yml",
                  "name: {{ service }}\ncompose:\n  web:\n    tag: {{ tag }}\n");
  bad = berth_.Run({"deploy", "staging", "--image", image1_, "--version", "3.1.4"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(bad.stderr_data,
            "error: service-descriptor.tmpl.yml:1:1: links.healthcheck.uri is missing (Micros checks it before sending traffic)\n"
            "warning: service-descriptor.tmpl.yml:1:1: scaling is missing; Micros' defaults apply\n"
            "error: service-descriptor.tmpl.yml:3:3: compose.web.image is missing\n"
            "error: micros: deploy: service-descriptor.tmpl.yml: the rendered descriptor has 2 errors (listed above); nothing "
            "was deployed\n");
  EXPECT_EQ(AtlasLog().size(), 0u);

  // validate: compiler-style lines on stdout, exit 3 when there is an error.
  WriteFileAtomic(berth_.work_dir() / "sd.yml", "name: shop-api\nlinks:\n  healthcheck: {uri: /h}\ncompose:\n  app:\n    tag: app-1\n");
  auto validated = berth_.Run({"micros", "descriptor", "validate", "sd.yml"});
  EXPECT_EQ(validated.exit_code, 3);
  EXPECT_EQ(validated.stdout_data, "sd.yml:1:1: warning: scaling is missing; Micros' defaults apply\nsd.yml:5:3: compose.app.image is missing\n");
  EXPECT_EQ(validated.stderr_data, "error: micros descriptor validate: sd.yml: invalid service descriptor (1 error)\n");
  validated = berth_.Run({"micros", "descriptor", "validate", "sd.yml", "-o", "json"});
  EXPECT_EQ(validated.exit_code, 3);
  EXPECT_EQ(nlohmann::json::parse(validated.stdout_data),
            nlohmann::json::parse(R"({"file": "sd.yml", "valid": false, "errors": 1, "warnings": 1, "problems": [
              {"line": 1, "column": 1, "severity": "warning", "message": "scaling is missing; Micros' defaults apply"},
              {"line": 5, "column": 3, "severity": "error", "message": "compose.app.image is missing"}]})"));
  WriteFileAtomic(berth_.work_dir() / "sd.yml", rendered.stdout_data);
  validated = berth_.Run({"micros", "descriptor", "validate", "sd.yml"});
  EXPECT_EQ(validated.exit_code, 0) << Describe(validated);
  EXPECT_EQ(validated.stdout_data, "sd.yml: valid\n");
}

TEST_F(MicrosE2eTest, TagAndArtifactoryCredentials) {
  auto tag = berth_.Run({"micros", "tag", "1.4.2+build.7"});
  EXPECT_EQ(tag.stdout_data, "app-1.4.2_build.7\n");

  auto none = berth_.Run({"micros", "whoami"});
  EXPECT_EQ(none.exit_code, 7);
  EXPECT_EQ(none.stderr_data, "error: micros whoami: no credentials for docker.atl-paas.net: set ARTIFACTORY_USER and ARTIFACTORY_TOKEN (staff id and "
                              "Artifactory identity token), or docker login docker.atl-paas.net\n");
  // What `docker login docker.atl-paas.net` writes (BerthRunner points DOCKER_CONFIG at a private folder).
  const std::string token = "cmVmdGtuOjAxOjE3MDAwMDAwMDA6identity";
  fs::create_directories(berth_.home() / "docker");
  WriteFileAtomic(berth_.home() / "docker" / "config.json",
                  R"({"auths": {"https://docker.atl-paas.net": {"auth": ")" + Base64Encode("jdoe:" + token) + R"("}}})", 0600);
  auto who = berth_.Run({"micros", "whoami", "-o", "json", "-vvv"});
  ASSERT_EQ(who.exit_code, 0) << Describe(who);
  EXPECT_EQ(nlohmann::json::parse(who.stdout_data),
            nlohmann::json({{"registry", "docker.atl-paas.net"}, {"username", "jdoe"},
                            {"source", (berth_.home() / "docker" / "config.json").string()}}));
  EXPECT_EQ(who.stdout_data.find(token), std::string::npos);
  EXPECT_EQ(who.stderr_data.find(token), std::string::npos);

  berth_.SetEnv("ARTIFACTORY_USER", "ci-bot");
  berth_.SetEnv("ARTIFACTORY_TOKEN", token);
  EXPECT_EQ(berth_.Json({"micros", "whoami"})["username"], "ci-bot");
}

// The stash store takes the service from berth.yaml (the host's project
// context) when its settings do not repeat it.
TEST_F(MicrosE2eTest, StashStoreTakesTheServiceFromTheProject) {
  std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml");
  std::string repeated = "settings: {service: shop-api, env: stg-west, atlas: ";
  ASSERT_NE(yaml.find(repeated), std::string::npos);
  yaml.replace(yaml.find(repeated), repeated.size(), "settings: {env: stg-west, atlas: ");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml);
  auto set = berth_.Run({"secrets", "set", "staging", "DB_PASSWORD"}, kDbPassword);
  ASSERT_EQ(set.exit_code, 0) << Describe(set);
  EXPECT_EQ(AtlasState()["services"]["shop-api"]["envs"]["stg-west"]["stash"]["DB_PASSWORD"], kDbPassword);
}

}  // namespace
}  // namespace berth::testing
