#include "context_files.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::builders {
namespace {
namespace fs = std::filesystem;

class ContextFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    context_ = temp_.path() / "context";
    CreateDirectories(context_ / "static");
    WriteFileAtomic(context_ / "index.html", "<h1>hi</h1>\n");
    WriteFileAtomic(context_ / "static" / "site.css", "h1{}\n");
    CreateDirectories(context_ / ".git");
    WriteFileAtomic(context_ / ".git" / "HEAD", "ref: refs/heads/main\n");
  }
  void Write(const std::string& relative, const std::string& content = "x\n") {
    CreateDirectories((context_ / relative).parent_path());
    WriteFileAtomic(context_ / relative, content);
  }
  std::vector<std::string> Selected(const ContextRules& rules = {}) {
    std::vector<std::string> names;
    for (const auto& entry : SelectContextFiles(context_, rules)) names.push_back(entry.relative);
    return names;
  }
  std::string Refusal(const ContextRules& rules = {}) {
    try {
      SelectContextFiles(context_, rules);
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      return error.what();
    }
    return "";
  }

  TempDir temp_{"context-files"};
  fs::path context_;
};

TEST_F(ContextFilesTest, EverythingButGitAndBerthSorted) {
  Write(".berth/state.json");
  EXPECT_EQ(Selected(), (std::vector<std::string>{"index.html", "static", "static/site.css"}));
}

TEST_F(ContextFilesTest, SecretLookingFilesAreRefusedNamingTheFirst) {
  Write(".env.local", "TOKEN=abc\n");
  Write(".asap-config", "{\"privateKey\":\"...\"}\n");
  Write("cosign.key", "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
  EXPECT_EQ(Refusal(), "build context file .asap-config looks like a secret (an ASAP private key): leave it out with "
                       ".dockerignore, or list it under build.include-secrets to pack it deliberately");
}

TEST_F(ContextFilesTest, SecretsDeepInTheContextAreFoundToo) {
  Write("config/deploy/id_ed25519", "key\n");
  EXPECT_NE(Refusal().find("build context file config/deploy/id_ed25519 looks like a secret (an SSH private key)"), std::string::npos);
}

TEST_F(ContextFilesTest, DockerignoreLeavesSecretsOut) {
  Write(".env.local");
  Write(".asap-config");
  Write("cosign.key");
  Write("keys/tls.key");
  Write(".dockerignore", ".env*\n.asap-config\n**/*.key\n!.env.example\n");
  Write(".env.example", "TOKEN=\n");
  // As in Docker, the directory stays (empty): only the file was left out.
  EXPECT_EQ(Selected(), (std::vector<std::string>{".dockerignore", ".env.example", "index.html", "keys", "static", "static/site.css"}));
}

TEST_F(ContextFilesTest, IncludeSecretsPacksTheNamedFilesOnly) {
  Write("certs/tls.key");
  Write(".env.local");
  ContextRules rules;
  rules.include_secrets = {"./certs/tls.key"};
  EXPECT_NE(Refusal(rules).find("build context file .env.local looks like a secret"), std::string::npos);
  rules.include_secrets.push_back(".env.local");
  EXPECT_EQ(Selected(rules), (std::vector<std::string>{".env.local", "certs", "certs/tls.key", "index.html", "static", "static/site.css"}));
}

TEST_F(ContextFilesTest, AnExceptionBringsBackAFileAndItsDirectory) {
  Write("config/private.yaml");
  Write("config/public.yaml");
  Write("config/sub/deep.yaml");
  Write(".dockerignore", "config\n!config/sub/deep.yaml\n.dockerignore\n");
  EXPECT_EQ(Selected(), (std::vector<std::string>{"config", "config/sub", "config/sub/deep.yaml", "index.html", "static",
                                                  "static/site.css"}));
}

TEST_F(ContextFilesTest, ADockerignoredSecretIsNeverRead) {
  // Excluded directories are not walked without exceptions: nothing in them is judged.
  Write("private/.env");
  Write(".dockerignore", "private\n");
  EXPECT_EQ(Selected(), (std::vector<std::string>{".dockerignore", "index.html", "static", "static/site.css"}));
}

}  // namespace
}  // namespace berth::builders
