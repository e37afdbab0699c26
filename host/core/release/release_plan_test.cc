#include "core/release/release_plan.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"

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

TEST(NormalizeVersionTest, OneSpellingForEachVersion) {
  EXPECT_EQ(NormalizeVersion("v1.2.3"), "1.2.3");
  EXPECT_EQ(NormalizeVersion("1.2.3"), "1.2.3");
  EXPECT_EQ(NormalizeVersion("v2.0.0-rc.1+b.7"), "2.0.0-rc.1+b.7");
  EXPECT_THROW(NormalizeVersion("vv1.2.3"), Error);
  EXPECT_THROW(NormalizeVersion("v1.2"), Error);
}

std::vector<TagTemplate> Templates(std::vector<std::string> texts) {
  std::vector<TagTemplate> templates;
  for (auto& text : texts) templates.push_back({text, false});
  return templates;
}

std::vector<std::string> Names(const std::vector<RenderedTag>& tags) {
  std::vector<std::string> names;
  for (const auto& tag : tags) names.push_back(tag.tag);
  return names;
}

GitState CleanGit() {
  GitState git;
  git.in_work_tree = true;
  git.has_commits = true;
  git.sha = "0123456789abcdef0123456789abcdef01234567";
  return git;
}

TEST(RenderTagsTest, FillsEveryPlaceholder) {
  TemplateValues values = ValuesFor("1.4.2+b5", CleanGit(), 7, "20261123");
  EXPECT_EQ(Names(RenderTags(Templates({"{version}", "{version}-{git.short}", "sha-{git.sha}", "{date}", "{version}"}), values)),
            (std::vector<std::string>{"1.4.2_b5", "1.4.2_b5-0123456", "sha-0123456789abcdef0123456789abcdef01234567", "20261123"}));
  EXPECT_EQ(Names(RenderTags(Templates({"v{version}"}), ValuesFor(NormalizeVersion("v1.2.8"), CleanGit(), 7, "20261123"))),
            std::vector<std::string>{"v1.2.8"});
}

TEST(RenderTagsTest, GitShortHasTheConfiguredLength) {
  EXPECT_EQ(Names(RenderTags(Templates({"sha-{git.short}"}), ValuesFor("1.0.0", CleanGit(), 12, "20261123"))),
            std::vector<std::string>{"sha-0123456789ab"});
}

TEST(RenderTagsTest, GitFieldsRefuseToRenderWithoutACommit) {
  GitState outside;
  GitState empty;
  empty.in_work_tree = true;
  try {
    RenderTags(Templates({"{version}", "sha-{git.short}"}), ValuesFor("1.0.0", outside, 7, "20261123"));
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_STREQ(error.what(), "tag template 'sha-{git.short}' needs {git.short}, but the project is not in a git work tree (git init, then commit)");
  }
  try {
    RenderTags(Templates({"{git.sha}"}), ValuesFor("1.0.0", empty, 7, "20261123"));
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "tag template '{git.sha}' needs {git.sha}, but the git repository has no commits yet (commit first)");
  }
  // Templates without git fields still render anywhere.
  EXPECT_EQ(Names(RenderTags(Templates({"{version}"}), ValuesFor("1.0.0", outside, 7, "20261123"))), std::vector<std::string>{"1.0.0"});
}

TEST(RenderTagsTest, ADirtyTreeNeverTakesTheCleanCommitsTag) {
  GitState dirty = CleanGit();
  dirty.dirty = true;
  EXPECT_EQ(Names(RenderTags(Templates({"sha-{git.short}", "{git.sha}"}), ValuesFor("1.0.0", dirty, 7, "20261123"))),
            (std::vector<std::string>{"sha-0123456-dirty", "0123456789abcdef0123456789abcdef01234567-dirty"}));
}

TEST(RenderTagsTest, RefusesLatestAndUnknownPlaceholders) {
  TemplateValues values = ValuesFor("1.0.0", CleanGit(), 7, "20261123");
  EXPECT_THROW(RenderTags(Templates({"latest"}), values), Error);
  try {
    RenderTags(Templates({"{branch}"}), values);
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "tag template '{branch}' uses {branch}; known: {version}, {git.sha}, {git.short}, {date}");
  }
}

TEST(RenderTagsTest, MutableTemplatesAreMarkedAndMayBeLatest) {
  auto tags = RenderTags({{"{version}", false}, {"latest", true}, {"{version}", true}}, ValuesFor("1.0.0", CleanGit(), 7, "20261123"));
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_FALSE(tags[0].is_mutable);  // Listed as immutable once: immutable.
  EXPECT_EQ(tags[1].tag, "latest");
  EXPECT_TRUE(tags[1].is_mutable);
}

TEST(GitStateTest, NonGitDirectoryIsUnknownAndClean) {
  TempDir dir("berth-git-test");
  GitState state = ReadGitState(dir.path());
  EXPECT_EQ(state.sha, "unknown");
  EXPECT_FALSE(state.in_work_tree);
  EXPECT_FALSE(state.dirty);
}

TEST(GitStateTest, RepositoryWithoutCommitsIsAWorkTreeWithoutSha) {
  TempDir dir("berth-git-test");
  ProcessOptions options;
  options.cwd = dir.path();
  ASSERT_EQ(RunProcess({"git", "init", "-q"}, options).exit_code, 0);
  GitState state = ReadGitState(dir.path());
  EXPECT_TRUE(state.in_work_tree);
  EXPECT_FALSE(state.has_commits);
  EXPECT_EQ(state.sha, "unknown");
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
