#include "berth/util/gitignore.h"

#include <gtest/gtest.h>

#include "berth/util/fs.h"

namespace berth {
namespace {

TEST(GitignoreTest, AppendsOnlyMissingLinesAndCreatesTheFile) {
  TempDir dir;
  EXPECT_EQ(AddToGitignore(dir.path(), {"/cosign.key", ".env.local"}), (std::vector<std::string>{"/cosign.key", ".env.local"}));
  EXPECT_EQ(ReadFile(dir.path() / ".gitignore"), "/cosign.key\n.env.local\n");
  // "cosign.key" and "/cosign.key" are one line; nothing is duplicated.
  EXPECT_TRUE(AddToGitignore(dir.path(), {"cosign.key", "/.env.local"}).empty());
  WriteFileAtomic(dir.path() / ".gitignore", "node_modules");  // No final newline.
  EXPECT_EQ(AddToGitignore(dir.path(), {"/.berth/"}), std::vector<std::string>{"/.berth/"});
  EXPECT_EQ(ReadFile(dir.path() / ".gitignore"), "node_modules\n/.berth/\n");
}

TEST(GitignoreTest, OnlyInAProjectOrAGitWorkTree) {
  TempDir dir;
  EXPECT_FALSE(IsProjectDirectory(dir.path()));
  EXPECT_FALSE(KeepOutOfGit(dir.path() / "cosign.key").has_value());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ".gitignore"));

  WriteFileAtomic(dir.path() / "berth.yaml", "service: x\n");
  EXPECT_EQ(KeepOutOfGit(dir.path() / "cosign.key"), dir.path() / ".gitignore");
  EXPECT_EQ(KeepOutOfGit(dir.path() / "cosign.key"), dir.path() / ".gitignore");  // Already there: not added twice.
  EXPECT_EQ(ReadFile(dir.path() / ".gitignore"), "/cosign.key\n");

  CreateDirectories(dir.path() / "repo" / ".git");
  CreateDirectories(dir.path() / "repo" / "keys");
  EXPECT_TRUE(IsProjectDirectory(dir.path() / "repo" / "keys"));
  EXPECT_EQ(KeepOutOfGit(dir.path() / "repo" / "keys" / ".asap-config"), dir.path() / "repo" / "keys" / ".gitignore");
  EXPECT_EQ(ReadFile(dir.path() / "repo" / "keys" / ".gitignore"), "/.asap-config\n");
}

}  // namespace
}  // namespace berth
