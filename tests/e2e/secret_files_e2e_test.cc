// Secret files stay out of git: berth init, berth keygen and berth asap
// keygen put what they create into the project's .gitignore (never twice,
// never outside a project), and env files readable by others draw the same
// warning as .asap-config.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

// Whether git (the real one) ignores `file` in the work directory.
bool GitIgnores(const BerthRunner& berth, const std::string& file) {
  ProcessOptions options;
  options.cwd = berth.work_dir();
  return RunProcess({"git", "check-ignore", "-q", file}, options).exit_code == 0;
}

TEST(SecretFilesE2eTest, InitIgnoresStateKeysAndEnvFilesOnce) {
  BerthRunner berth;
  WriteFileAtomic(berth.work_dir() / ".gitignore", "node_modules/\n/cosign.key\n");
  auto created = berth.Json({"init", "--service", "shop", "--image", "127.0.0.1:5000/shop/api", "--signing-key", "keys/release.key"});
  EXPECT_EQ(created["gitignore_added"],
            nlohmann::json::array({"/.berth/*", "!/.berth/plugins.lock", ".asap-config", ".env", ".env.*", "!.env.example", "/keys/release.key"}));
  EXPECT_EQ(ReadFile(berth.work_dir() / ".gitignore"),
            "node_modules/\n/cosign.key\n/.berth/*\n!/.berth/plugins.lock\n.asap-config\n.env\n.env.*\n!.env.example\n/keys/release.key\n");
  berth.Git({"init", "-q"});
  for (const char* file : {"cosign.key", ".asap-config", ".env.local", ".env", ".berth/image/index.json", "keys/release.key"}) {
    EXPECT_TRUE(GitIgnores(berth, file)) << file;
  }
  EXPECT_FALSE(GitIgnores(berth, ".env.example"));
  EXPECT_FALSE(GitIgnores(berth, ".berth/plugins.lock")) << "the plugin lock is committed";
  EXPECT_TRUE(GitIgnores(berth, ".berth/plugins/echo/berth-plugin.json"));
  EXPECT_FALSE(GitIgnores(berth, "berth.yaml"));
  // Again (with --force): nothing is appended twice.
  berth.Json({"init", "--force", "--service", "shop", "--image", "127.0.0.1:5000/shop/api", "--signing-key", "keys/release.key"});
  EXPECT_EQ(ReadFile(berth.work_dir() / ".gitignore"),
            "node_modules/\n/cosign.key\n/.berth/*\n!/.berth/plugins.lock\n.asap-config\n.env\n.env.*\n!.env.example\n/keys/release.key\n");
}

TEST(SecretFilesE2eTest, KeygenIgnoresTheKeyInsideAProjectOnly) {
  BerthRunner berth;
  berth.SetEnv("COSIGN_PASSWORD", "gitignore-test");
  // Not a project (no berth.yaml, no git): nothing written besides the keys.
  auto outside = berth.Json({"keygen"});
  EXPECT_EQ(outside["gitignore"], nullptr);
  EXPECT_FALSE(fs::exists(berth.work_dir() / ".gitignore"));

  berth.Git({"init", "-q"});
  auto inside = berth.Json({"keygen", "--force"});
  EXPECT_EQ(inside["gitignore"], (berth.work_dir() / ".gitignore").string());
  EXPECT_EQ(ReadFile(berth.work_dir() / ".gitignore"), "/cosign.key\n");
  EXPECT_TRUE(GitIgnores(berth, "cosign.key"));
  EXPECT_FALSE(GitIgnores(berth, "cosign.pub"));  // The public key is meant to be shared.
  berth.Json({"keygen", "--force"});
  EXPECT_EQ(ReadFile(berth.work_dir() / ".gitignore"), "/cosign.key\n");
  // The cosign plugin's own spelling does the same.
  berth.Json({"cosign", "generate-key-pair", "--output-key-prefix", "release"});
  EXPECT_EQ(ReadFile(berth.work_dir() / ".gitignore"), "/cosign.key\n/release.key\n");
  EXPECT_TRUE(GitIgnores(berth, "release.key"));
}

TEST(SecretFilesE2eTest, AsapKeygenIgnoresItsConfig) {
  BerthRunner berth;
  WriteFileAtomic(berth.work_dir() / "berth.yaml", "service: shop\nimage: 127.0.0.1:5000/shop/api\n");
  auto made = berth.Json({"asap", "keygen", "--issuer", "micros/shop"});
  EXPECT_EQ(made["gitignore"], (berth.work_dir() / ".gitignore").string());
  EXPECT_EQ(ReadFile(berth.work_dir() / ".gitignore"), "/.asap-config\n");
  berth.Git({"init", "-q"});
  EXPECT_TRUE(GitIgnores(berth, ".asap-config"));
}

TEST(SecretFilesE2eTest, AnEnvFileReadableByOthersIsWarnedAbout) {
  BerthRunner berth;
  WriteFileAtomic(berth.work_dir() / ".env.local", "API_KEY=sk-live-0a1b2c\n", 0644);
  auto open = berth.Run({"secrets", "diff", "dev", "--from", ".env.local"});
  ASSERT_EQ(open.exit_code, 0) << Describe(open);
  EXPECT_NE(open.stderr_data.find(".env.local holds secrets but is readable by others (mode 644); run: chmod 600 .env.local"),
            std::string::npos)
      << open.stderr_data;
  WriteFileAtomic(berth.work_dir() / ".env.local", "API_KEY=sk-live-0a1b2c\n", 0600);
  auto closed = berth.Run({"secrets", "diff", "dev", "--from", ".env.local"});
  EXPECT_EQ(closed.stderr_data.find("readable by others"), std::string::npos) << closed.stderr_data;
}

}  // namespace
}  // namespace berth::testing
