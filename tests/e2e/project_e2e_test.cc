// berth init, berth.yaml errors as users see them, and the ledger through
// `berth history`.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {

TEST(ProjectE2eTest, InitWritesAFileBerthAccepts) {
  BerthRunner berth;
  auto created = berth.Json({"init", "--service", "shop-api", "--image", "127.0.0.1:5000/shop/api", "--env", "staging=k8s",
                             "--env", "prod=micros", "--signing-key", "cosign.key"});
  EXPECT_EQ(created["service"], "shop-api");
  std::string yaml = ReadFile(berth.work_dir() / "berth.yaml");
  EXPECT_NE(yaml.find("plugin: k8s"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("public_key: \"cosign.pub\""), std::string::npos) << yaml;
  auto again = berth.Run({"init", "--service", "x", "--image", "r/x"});
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_EQ(again.stderr_data, "error: berth.yaml already exists (use --force to replace it)\n");
  auto bad = berth.Run({"init", "--service", "x", "--image", "r/x", "--env", "Prod"});
  EXPECT_EQ(bad.exit_code, 2);
  // No terminal and no flags: a clear usage error, nothing written.
  auto missing = berth.Run({"init", "--config", "other.yaml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(berth.work_dir() / "other.yaml"));
}

// Micros deploys the tag app-<version>; the other targets get semver plus the commit.
TEST(ProjectE2eTest, InitFollowsTheTargetsTagConvention) {
  BerthRunner berth;
  berth.Json({"init", "--service", "shop", "--image", "docker.atl-paas.net/shop/api", "--target", "micros"});
  std::string yaml = ReadFile(berth.work_dir() / "berth.yaml");
  EXPECT_NE(yaml.find("tags: [\"app-{version}\"]\n"), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find("sha-"), std::string::npos) << yaml;
  // An environment deploying with micros means the same.
  berth.Json({"init", "--force", "--service", "shop", "--image", "docker.atl-paas.net/shop/api", "--env", "ddev=micros"});
  EXPECT_NE(ReadFile(berth.work_dir() / "berth.yaml").find("tags: [\"app-{version}\"]\n"), std::string::npos);
  berth.Json({"init", "--force", "--service", "shop", "--image", "127.0.0.1:5000/shop/api", "--env", "staging=k8s"});
  EXPECT_NE(ReadFile(berth.work_dir() / "berth.yaml").find("tags: [\"v{version}\", \"sha-{git.short}\"]\n"), std::string::npos);
}

TEST(ProjectE2eTest, ConfigErrorsNameTheLine) {
  BerthRunner berth;
  auto result = berth.Run({"status", "staging"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data,
            "error: no berth.yaml here or in any parent directory (write one with berth init, or pass --config FILE)\n");
  WriteFileAtomic(berth.work_dir() / "berth.yaml",
                  "service: shop\nimage: r/shop\nenvironments:\n  staging:\n    target: {plugin: k8s}\n    helth: {}\n");
  result = berth.Run({"status", "staging"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data,
            "error: berth.yaml:6:5: unknown field 'helth' in environments.staging (did you mean 'health'?)\n");
  WriteFileAtomic(berth.work_dir() / "berth.yaml", "service: shop\nimage: r/shop\nenvironments:\n  staging:\n    target: {plugin: nomad}\n");
  result = berth.Run({"status", "prod"});
  EXPECT_EQ(result.stderr_data, "error: berth.yaml: no environment 'prod' (defined: staging)\n");
  result = berth.Run({"status", "staging"});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_EQ(result.stderr_data, "error: no installed plugin provides target 'nomad' (see berth plugin list)\n");
  result = berth.Run({"deploy", "staging", "--image", "r/shop:1.0"});
  EXPECT_EQ(result.exit_code, 4) << "the target is opened first";
}

TEST(ProjectE2eTest, HistoryListsTheLedgerNewestFirst) {
  BerthRunner berth;
  WriteFileAtomic(berth.work_dir() / "berth.yaml", "service: shop\nimage: r/shop\n");
  nlohmann::json ledger = {
      {"schema", 1},
      {"service", "shop"},
      {"releases",
       {{{"version", "1.0.0"}, {"digest", "sha256:" + std::string(64, 'a')}, {"images", {"r/shop:v1.0.0"}},
         {"created_at", "2026-11-01T00:00:00Z"},
         {"deployments", {{{"environment", "staging"}, {"result", "healthy"}, {"at", "2026-11-01T01:00:00Z"}},
                          {{"environment", "prod"}, {"result", "failed"}, {"at", "2026-11-01T02:00:00Z"}}}}},
        {{"version", "1.1.0"}, {"digest", "sha256:" + std::string(64, 'b')}, {"images", {"r/shop:v1.1.0"}},
         {"created_at", "2026-11-02T00:00:00Z"}}}}};
  WriteFileAtomic(berth.work_dir() / "releases.json", ledger.dump());
  auto history = berth.Json({"history"});
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0]["version"], "1.1.0");
  EXPECT_EQ(history[1]["deployments"][0]["environment"], "staging");
  auto table = berth.Run({"history"});
  // A failed deploy is not "deployed to": each environment shows its state.
  EXPECT_NE(table.stdout_data.find("1.0.0    2026-11-01T00:00:00Z  sha256:aaaaaaaaaaaa  prod (failed), staging (healthy)"),
            std::string::npos)
      << table.stdout_data;
  WriteFileAtomic(berth.work_dir() / "releases.json", "{\"schema\": 1, \"releases\": [");
  auto broken = berth.Run({"history"});
  EXPECT_EQ(broken.exit_code, 3);
  EXPECT_NE(broken.stderr_data.find("releases.json: not valid JSON"), std::string::npos) << broken.stderr_data;
}

}  // namespace
}  // namespace berth::testing
