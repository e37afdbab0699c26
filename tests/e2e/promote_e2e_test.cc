// berth promote: a release copied by digest from the registry it was
// released to into an environment's own registry (environments.ENV.registry)
// with its cosign signature, its tags set there, the promotion recorded, and
// deployed from there (as later deploys of that version are). Two real docker-registry
// instances (staging plain, production with token auth) and the test-target
// fixture (tests/plugin_fixtures/test_target.cc), which records what it ran.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

TEST(PromoteE2eTest, CopiesTheRecordedDigestWithItsSignatureRecordsItAndDeploysFromThere) {
  BerthRunner berth;
  berth.SetEnv("SOURCE_DATE_EPOCH", "1700000000");
  berth.SetEnv("COSIGN_PASSWORD", "promote-test-password");
  berth.SetEnv("BERTH_PLUGIN_PATH", std::string(BERTH_FIXTURE_PLUGIN_DIR) + "/test-target");
  auto staging = StartRegistry("plain");
  auto production = StartRegistry("token");
  const std::string prod_repository = production->host() + "/prod/hello";
  fs::path state = berth.work_dir() / ".berth" / "deploys.json";
  CreateDirectories(berth.work_dir() / "site");
  WriteFileAtomic(berth.work_dir() / "site" / "index.html", "<h1>promoted</h1>\n");
  WriteFileAtomic(berth.work_dir() / "berth.yaml",
                  "service: hello\n"
                  "image: " + staging->host() + "/team/hello\n"
                  "build:\n  context: site\n  builder: berth\n  base: scratch\n  dest: /srv/www\n"
                  "signing:\n  signer: cosign\n  key: cosign.key\n  public_key: cosign.pub\n  required: true\n"
                  "environments:\n"
                  "  production:\n"
                  "    registry: " + prod_repository + "\n"
                  "    target:\n      plugin: test-target\n      state: " + state.string() + "\n");
  ASSERT_EQ(berth.Run({"keygen"}).exit_code, 0);
  WriteFileAtomic(berth.work_dir() / ".gitignore", "cosign.key\n");
  berth.Git({"init", "-q"});
  berth.Git({"add", "-A"});
  berth.Git({"commit", "-q", "-m", "first"});
  berth.TrustProjects();
  ProcessResult login = berth.Run({"login", production->host(), "-u", "alice", "--password-stdin", "--plain-http", production->host()},
                                  production->ready()["users"]["alice"].get<std::string>());
  ASSERT_EQ(login.exit_code, 0) << Describe(login);
  const std::vector<std::string> plain = {"--plain-http", staging->host(), "--plain-http", production->host()};
  auto with_plain = [&](std::vector<std::string> args) {
    args.insert(args.end(), plain.begin(), plain.end());
    return args;
  };

  json released = berth.Json(with_plain({"release", "1.0.0"}));
  const std::string digest = released["digest"];

  // Production pulls from its own registry: not there yet.
  ProcessResult early = berth.Run(with_plain({"deploy", "production", "--version", "1.0.0"}));
  EXPECT_EQ(early.exit_code, 6) << Describe(early);
  EXPECT_EQ(early.stderr_data, "error: version 1.0.0 is not in production's registry " + prod_repository +
                                   " yet; run: berth promote 1.0.0 production\n");

  json promoted = berth.Json(with_plain({"promote", "1.0.0", "production"}));
  EXPECT_EQ(promoted["image"], prod_repository + "@" + digest);
  EXPECT_EQ(promoted["tags"], json::array({"1.0.0"}));
  EXPECT_EQ(promoted["attachments"].size(), 1u) << promoted.dump();  // The cosign signature tag.
  EXPECT_EQ(berth.Json({"digest", prod_repository + ":1.0.0", "--plain-http", production->host()})["digest"], digest);
  json verified = berth.Json({"verify", prod_repository + ":1.0.0", "--key", "cosign.pub", "--plain-http", production->host()});
  EXPECT_EQ(verified["verified"], true);
  json ledger = json::parse(ReadFile(berth.work_dir() / "releases.json"));
  const json& promotion = ledger["releases"][0]["promotions"][0];
  EXPECT_EQ(promotion["environment"], "production");
  EXPECT_EQ(promotion["repository"], prod_repository);
  EXPECT_EQ(ledger["releases"][0]["images"], json::array({staging->host() + "/team/hello:1.0.0", prod_repository + ":1.0.0"}));
  EXPECT_NE(ReadFile(berth.work_dir() / "RELEASES.md").find("to production's `" + prod_repository + "`"), std::string::npos);

  // promote deployed from production's registry (the signing policy checked the signature there), and recorded it.
  EXPECT_EQ(promoted["deployment"]["healthy"], true) << promoted.dump();
  json history = json::parse(ReadFile(state))["history"];
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history.back()["image"], prod_repository + "@" + digest);
  EXPECT_EQ(ledger["releases"][0]["deployments"][0]["environment"], "production");
  EXPECT_EQ(ledger["releases"][0]["deployments"][0]["state"], "healthy");
  // A later deploy of the version pulls from there too.
  berth.Json(with_plain({"deploy", "production", "--version", "1.0.0"}));
  EXPECT_EQ(json::parse(ReadFile(state))["history"].back()["image"], prod_repository + "@" + digest);

  // Promoting again moves nothing: every blob is there; --no-deploy leaves what runs alone.
  json again = berth.Json(with_plain({"promote", "1.0.0", "production", "--no-deploy"}));
  EXPECT_EQ(again["copy"]["blobs"]["uploaded"], 0) << again.dump();
  EXPECT_FALSE(again.contains("deployment"));
  EXPECT_EQ(json::parse(ReadFile(state))["history"].size(), 2u);
  EXPECT_EQ(json::parse(ReadFile(berth.work_dir() / "releases.json"))["releases"][0]["promotions"].size(), 1u);
}

}  // namespace
}  // namespace berth::testing
