#include "core/release/git_tag.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "core/release/release_source.h"

namespace berth::host::release {
namespace {
namespace fs = std::filesystem;

// A real repository with two commits; the identity lives in its own config,
// as a user's would, so berth's own `git tag -a` finds one.
class GitTagTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Git({"init", "-q"});
    Git({"config", "user.name", "t"});
    Git({"config", "user.email", "t@t"});
    Commit("first");
    first_ = Head();
    Commit("second");
  }

  std::string Git(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"git"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.cwd = dir_.path();
    ProcessResult result = RunProcess(argv, options);
    EXPECT_EQ(result.exit_code, 0) << "git " << args.front() << ": " << result.stderr_data;
    return result.stdout_data;
  }
  void Commit(const std::string& message) {
    WriteFileAtomic(dir_.path() / "file.txt", message + "\n");
    Git({"add", "-A"});
    Git({"commit", "-q", "-m", message});
  }
  std::string Head() {
    std::string out = Git({"rev-parse", "HEAD"});
    return out.substr(0, out.find('\n'));
  }
  GitState State() { return ReadGitState(dir_.path()); }

  TempDir dir_{"berth-git-tag-test"};
  std::string first_;
};

std::string Message(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    return error.what();
  }
  return "(no error)";
}

TEST_F(GitTagTest, HeadSemverTagsSeesLightweightAndAnnotatedTagsAtHeadOnly) {
  EXPECT_TRUE(HeadSemverTags(dir_.path()).empty());
  Git({"tag", "v1.0.0"});                          // Lightweight.
  Git({"tag", "-a", "1.0.1", "-m", "annotated"});  // Annotated: peeled to HEAD.
  Git({"tag", "nightly"});                         // Not a version.
  Git({"tag", "v0.9.0", first_});                  // Another commit.
  EXPECT_EQ(HeadSemverTags(dir_.path()), (std::vector<std::string>{"1.0.1", "v1.0.0"}));
  EXPECT_EQ(TagCommit(dir_.path(), "1.0.1"), Head());
  EXPECT_EQ(TagCommit(dir_.path(), "v0.9.0"), first_);
  EXPECT_EQ(TagCommit(dir_.path(), "v2.0.0"), std::nullopt);
}

TEST_F(GitTagTest, OutsideGitThereAreNoTags) {
  TempDir plain("berth-git-tag-test");
  EXPECT_TRUE(HeadSemverTags(plain.path()).empty());
}

TEST_F(GitTagTest, AHeadTagMustAgreeWithTheVersion) {
  GitState git = State();
  EXPECT_EQ(PlanGitTag("1.0.0", git, {}, false, std::nullopt).recorded, "");
  EXPECT_EQ(PlanGitTag("1.0.0", git, {"v1.0.0"}, false, std::nullopt).recorded, "v1.0.0");
  EXPECT_EQ(PlanGitTag("1.0.0", git, {"1.0.0"}, false, std::nullopt).recorded, "1.0.0");
  // A commit tagged as the candidate and as the release it became.
  GitTagPlan promoted = PlanGitTag("2.0.0", git, {"v2.0.0", "v2.0.0-rc.1"}, false, std::nullopt);
  EXPECT_EQ(promoted.recorded, "v2.0.0");
  EXPECT_FALSE(promoted.create);
  EXPECT_EQ(Message([&] { PlanGitTag("1.1.0", git, {"v1.0.0"}, false, std::nullopt); }),
            "HEAD is tagged v1.0.0, which does not agree with release 1.1.0; release that version, or tag this commit v1.1.0");
  EXPECT_EQ(Message([&] { PlanGitTag("2.0.0", git, {"v1.9.0", "v2.0.0-rc.1"}, true, std::nullopt); }),
            "HEAD is tagged v1.9.0, v2.0.0-rc.1, which does not agree with release 2.0.0; release that version, or tag this commit v2.0.0");
}

TEST_F(GitTagTest, GitTagRefusesWhatWouldMoveOrDoubleATag) {
  GitState git = State();
  GitTagPlan plan = PlanGitTag("1.2.3", git, {}, true, std::nullopt);
  EXPECT_EQ(plan.recorded, "v1.2.3");
  EXPECT_TRUE(plan.create);
  // Already there: recorded, not created again.
  GitTagPlan there = PlanGitTag("1.2.3", git, {"v1.2.3"}, true, git.sha);
  EXPECT_EQ(there.recorded, "v1.2.3");
  EXPECT_FALSE(there.create);
  EXPECT_EQ(Message([&] { PlanGitTag("1.2.3", git, {}, true, first_); }),
            "git tag v1.2.3 already names commit " + first_.substr(0, 12) + ", not HEAD (" + git.sha.substr(0, 12) +
                "); --git-tag never moves a tag");
  EXPECT_EQ(Message([&] { PlanGitTag("1.2.3", git, {"1.2.3"}, true, std::nullopt); }),
            "HEAD is already tagged 1.2.3 for release 1.2.3; --git-tag would add v1.2.3 beside it: leave out --git-tag");
  GitState dirty = git;
  dirty.dirty = true;
  dirty.changes = {" M file.txt"};
  EXPECT_EQ(Message([&] { PlanGitTag("1.2.3", dirty, {}, true, std::nullopt); }),
            "--git-tag needs a clean git tree ( M file.txt): a tag names a commit, and this build is not one");
  EXPECT_EQ(PlanGitTag("1.2.3", dirty, {}, false, std::nullopt).recorded, "") << "a dirty tree without --git-tag is --allow-dirty's call";
  EXPECT_EQ(Message([&] { PlanGitTag("1.2.3", GitState{}, {}, true, std::nullopt); }),
            "--git-tag needs a git work tree with a commit to tag");
}

TEST_F(GitTagTest, CreatesAnAnnotatedTagKeepingMarkdownHeadings) {
  const std::string head = Head();
  RequireTaggerIdentity(dir_.path());
  CreateAnnotatedTag(dir_.path(), "v1.2.3", head, TagMessage("1.2.3", "### Added\n- Tags."));
  EXPECT_EQ(Git({"cat-file", "-t", "v1.2.3"}), "tag\n");
  EXPECT_EQ(TagCommit(dir_.path(), "v1.2.3"), head);
  EXPECT_EQ(Git({"tag", "-l", "--format=%(contents)", "v1.2.3"}), "berth release 1.2.3\n\n### Added\n- Tags.\n\n");
  // git refuses to replace it; the message says which tag.
  try {
    CreateAnnotatedTag(dir_.path(), "v1.2.3", first_, TagMessage("1.2.3", ""));
    ADD_FAILURE() << "a second v1.2.3 was created";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFailure);
    EXPECT_NE(std::string(error.what()).find("git tag v1.2.3 failed: fatal: tag 'v1.2.3' already exists"), std::string::npos) << error.what();
  }
  EXPECT_EQ(TagCommit(dir_.path(), "v1.2.3"), head);
}

// The checks phase as berth release runs it: the changelog source, then the tag.
TEST_F(GitTagTest, ResolveReleaseSourceReadsTheChangelogAndPlansTheTag) {
  WriteFileAtomic(dir_.path() / "CHANGELOG.md", "# Changelog\r\n\r\n## [1.2.3] - 2026-12-01\r\n### Fixed\r\n- It.\r\n");
  Commit("changelog");
  ReleaseSource source = ResolveReleaseSource(dir_.path(), "1.2.3", State(), std::nullopt, true);
  EXPECT_EQ(source.changelog, "### Fixed\n- It.");
  EXPECT_EQ(source.git_tag.recorded, "v1.2.3");
  EXPECT_TRUE(source.git_tag.create);

  // --notes wins over CHANGELOG.md, and a missing one is an error naming it.
  WriteFileAtomic(dir_.path() / "notes.txt", "\nHand-written notes.\r\n\r\n");
  EXPECT_EQ(ResolveReleaseSource(dir_.path(), "1.2.3", State(), (dir_.path() / "notes.txt").string(), false).changelog,
            "Hand-written notes.");
  const std::string missing = (dir_.path() / "nope.md").string();
  EXPECT_EQ(Message([&] { ResolveReleaseSource(dir_.path(), "1.2.3", State(), missing, false); }), "--notes " + missing + ": no such file");

  // No entry for the version: an empty changelog, not an error.
  EXPECT_EQ(ResolveReleaseSource(dir_.path(), "9.9.9", State(), std::nullopt, false).changelog, "");
}

// A cloned repository's CHANGELOG.md must not copy a file from outside it
// into releases.json and a tag message.
TEST_F(GitTagTest, AChangelogLinkOutOfTheProjectIsRefused) {
  TempDir outside("berth-git-tag-test");
  WriteFileAtomic(outside.path() / "id_rsa", "## [1.0.0]\n-----BEGIN OPENSSH PRIVATE KEY-----\n");
  fs::create_symlink(outside.path() / "id_rsa", dir_.path() / "CHANGELOG.md");
  std::string message = Message([&] { ResolveReleaseSource(dir_.path(), "1.0.0", GitState{}, std::nullopt, false); });
  EXPECT_NE(message.find("CHANGELOG.md leads out of the project"), std::string::npos) << message;
}

}  // namespace
}  // namespace berth::host::release
