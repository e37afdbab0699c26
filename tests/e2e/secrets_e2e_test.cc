// berth secrets with the bundled file store: values in through stdin, files
// and env files, never out.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "berth/util/fs.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {

TEST(SecretsE2eTest, SetListDiffSyncDeleteWithoutRevealingValues) {
  BerthRunner berth;
  const std::string secret = "sk-live-4f9a8b7c6d5e";
  auto result = berth.Run({"secrets", "set", "dev", "API_KEY", "-v", "-v", "-v"}, secret + "\n");
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(result.stdout_data.find(secret), std::string::npos);
  EXPECT_EQ(result.stderr_data.find(secret), std::string::npos);

  auto file = berth.home() / "data" / "berth" / "secrets" / "dev.json";
  struct stat info {};
  ASSERT_EQ(stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(nlohmann::json::parse(ReadFile(file))["API_KEY"], secret);

  auto list = berth.Json({"secrets", "list", "dev"});
  EXPECT_EQ(list, nlohmann::json::parse(R"([{"name":"API_KEY"}])"));

  WriteFileAtomic(berth.work_dir() / ".env.local", "API_KEY=" + secret + "\nDB_URL=\"postgres://u:p@h/db\"\n", 0600);
  auto diff = berth.Json({"secrets", "diff", "dev", "--from", ".env.local"});
  EXPECT_EQ(diff, nlohmann::json::parse(R"([{"name":"API_KEY","change":"unchanged"},{"name":"DB_URL","change":"added"}])"));
  auto synced = berth.Json({"secrets", "sync", "dev", "--from", ".env.local"});
  EXPECT_EQ(synced, nlohmann::json::parse(R"([{"name":"DB_URL","change":"added","applied":true}])"));
  EXPECT_EQ(berth.Json({"secrets", "list", "dev"}).size(), 2u);

  result = berth.Run({"secrets", "delete", "dev", "DB_URL"});
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  result = berth.Run({"secrets", "delete", "dev", "DB_URL"});
  EXPECT_EQ(result.exit_code, 6);
  EXPECT_EQ(result.stderr_data, "error: file-secrets: delete: no secret 'DB_URL' in " + file.string() + "\n");
}

TEST(SecretsE2eTest, BadInputIsRefusedClearly) {
  BerthRunner berth;
  auto result = berth.Run({"secrets", "set", "dev", "EMPTY"}, "");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data, "error: empty secret value on stdin (use --from-file or pipe the value)\n");
  WriteFileAtomic(berth.work_dir() / "bad.env", "GOOD=1\nBROKEN=\"never closed-secret\n", 0600);  // 0644 would add a warning.
  result = berth.Run({"secrets", "sync", "dev", "--from", "bad.env"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data, "error: bad.env:2: unterminated quoted value for BROKEN\n");
  EXPECT_FALSE(std::filesystem::exists(berth.home() / "data" / "berth" / "secrets" / "dev.json"));
  result = berth.Run({"secrets", "list", "dev", "--store", "vault"});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_EQ(result.stderr_data, "error: no installed plugin provides secret-store 'vault' (see berth plugin list)\n");
}

// secrets.from in a cloned berth.yaml: a file of the project is read, but a
// file outside it (the user's own credentials, named directly or through a
// committed symlink) is refused when berth.yaml is read, trusted or not, so
// it can never be sent to the store berth.yaml names.
TEST(SecretsE2eTest, AFromFileOutsideTheProjectIsRefused) {
  BerthRunner berth;
  const std::string secret = "user-own-credential-5e6f";
  WriteFileAtomic(berth.home() / "private.env", "USER_TOKEN=" + secret + "\n", 0600);
  WriteFileAtomic(berth.work_dir() / ".env.project", "PROJECT_KEY=project-value\n", 0600);
  std::filesystem::create_symlink(berth.home() / "private.env", berth.work_dir() / ".env.linked");
  auto project = [&](const std::string& from) {
    WriteFileAtomic(berth.work_dir() / "berth.yaml",
                    "service: shop\nimage: 127.0.0.1:1/acme/shop\nenvironments:\n  dev:\n    target:\n      plugin: k8s\n"
                    "    secrets:\n      store: file\n      from: " + from + "\n");
  };
  project(".env.project");
  EXPECT_EQ(berth.Json({"secrets", "sync", "dev"})[0]["name"], "PROJECT_KEY");
  for (const std::string& outside : {(berth.home() / "private.env").string(), std::string(".env.linked")}) {
    project(outside);
    for (const bool trusted : {false, true}) {
      ProcessResult refused = berth.Run(trusted ? std::vector<std::string>{"--trust", "secrets", "sync", "dev"}
                                                : std::vector<std::string>{"secrets", "sync", "dev"});
      EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
      EXPECT_EQ(refused.stderr_data, "error: berth.yaml:9:13: 'environments.dev.secrets.from' (" + outside +
                                         ") is outside the project folder; berth.yaml may only name paths inside it\n");
    }
  }
  EXPECT_EQ(nlohmann::json::parse(ReadFile(berth.home() / "data" / "berth" / "secrets" / "dev.json")).count("USER_TOKEN"), 0u);
}

}  // namespace
}  // namespace berth::testing
