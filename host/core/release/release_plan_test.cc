#include "core/release/release_plan.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/fs.h"
#include "berth/process.h"

namespace berth::host::release {
namespace {

TEST(CheckSemverTest, AcceptsSemanticVersions) {
  for (const char* version : {"1.4.2", "v1.0.0", "0.0.1", "2.0.0-rc.1", "1.0.0+build.7", "1.0.0-alpha-1"}) {
    EXPECT_NO_THROW(CheckSemver(version)) << version;
  }
}

TEST(CheckSemverTest, RefusesOthersWithAClearMessage) {
  for (const char* version : {"1.4", "01.2.3", "1.2.3.4", "latest", "", "1.2.3-"}) {
    EXPECT_THROW(CheckSemver(version), Error) << version;
  }
  try {
    CheckSemver("1.4");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUsage);
    EXPECT_STREQ(error.what(), "version '1.4' is not semantic (MAJOR.MINOR.PATCH, e.g. 1.4.2 or 2.0.0-rc.1)");
  }
}

TEST(RenderTagsTest, FillsEveryPlaceholder) {
  TemplateValues values{"1.4.2+b5", "0123456789abcdef0123456789abcdef01234567", "0123456789ab", "20261123"};
  EXPECT_EQ(RenderTags({"{version}", "{version}-{git.short}", "sha-{git.sha}", "{date}", "{version}"}, values),
            (std::vector<std::string>{"1.4.2_b5", "1.4.2_b5-0123456789ab", "sha-0123456789abcdef0123456789abcdef01234567", "20261123"}));
}

TEST(RenderTagsTest, RefusesLatestAndUnknownPlaceholders) {
  TemplateValues values{"1.0.0", "unknown", "unknown", "20261123"};
  EXPECT_THROW(RenderTags({"latest"}, values), Error);
  try {
    RenderTags({"{branch}"}, values);
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "tag template '{branch}' uses {branch}; known: {version}, {git.sha}, {git.short}, {date}");
  }
}

TEST(GitStateTest, NonGitDirectoryIsUnknownAndClean) {
  TempDir dir("berth-git-test");
  GitState state = ReadGitState(dir.path());
  EXPECT_EQ(state.sha, "unknown");
  EXPECT_FALSE(state.dirty);
}

TEST(GitStateTest, SeesUncommittedChanges) {
  TempDir dir("berth-git-test");
  ProcessOptions options;
  options.cwd = dir.path();
  options.env_set = {{"GIT_AUTHOR_NAME", "t"}, {"GIT_AUTHOR_EMAIL", "t@example.invalid"},
                     {"GIT_COMMITTER_NAME", "t"}, {"GIT_COMMITTER_EMAIL", "t@example.invalid"}};
  ASSERT_EQ(RunProcess({"git", "init", "-q"}, options).exit_code, 0);
  WriteFileAtomic(dir.path() / "a.txt", "a\n");
  ASSERT_EQ(RunProcess({"git", "add", "a.txt"}, options).exit_code, 0);
  ASSERT_EQ(RunProcess({"git", "commit", "-q", "-m", "a"}, options).exit_code, 0);
  GitState clean = ReadGitState(dir.path());
  EXPECT_EQ(clean.sha.size(), 40u);
  EXPECT_FALSE(clean.dirty);
  WriteFileAtomic(dir.path() / "a.txt", "b\n");
  GitState dirty = ReadGitState(dir.path());
  EXPECT_TRUE(dirty.dirty);
  ASSERT_EQ(dirty.changes.size(), 1u);
  EXPECT_EQ(dirty.changes[0], " M a.txt");
  // The ledger and berth's own work directory do not make a tree dirty.
  EXPECT_FALSE(ReadGitState(dir.path(), {dir.path() / "a.txt"}).dirty);
  CreateDirectories(dir.path() / ".berth" / "image");
  WriteFileAtomic(dir.path() / ".berth" / "image" / "index.json", "{}");
  EXPECT_EQ(ReadGitState(dir.path(), {dir.path() / "a.txt", dir.path() / ".berth"}).changes.size(), 0u);
  EXPECT_EQ(ReadGitState(dir.path(), {dir.path() / "a.txt"}).changes, std::vector<std::string>{"?? .berth/"});
}

}  // namespace
}  // namespace berth::host::release
