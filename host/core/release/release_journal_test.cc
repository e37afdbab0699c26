#include "core/release/release_journal.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::host::release {
namespace {
namespace fs = std::filesystem;

class ReleaseJournalTest : public ::testing::Test {
 protected:
  GitState Clean(const std::string& sha) {
    GitState git;
    git.in_work_tree = git.has_commits = true;
    git.sha = sha;
    return git;
  }
  // What a run leaves after its build: the journal and the layout's index.
  ReleaseJournal Built(const std::string& sha) {
    ReleaseJournal journal(dir_.path(), "1.0.0", sha);
    fs::create_directories(journal.layout_dir());
    WriteFileAtomic(journal.layout_dir() / "index.json", "{}");
    journal.RecordBuilt("sha256:" + std::string(64, 'a'), "berth");
    return journal;
  }
  TempDir dir_{"release-journal"};
};

TEST_F(ReleaseJournalTest, AJournalOfTheSameCleanCommitResumesWithItsSteps) {
  ReleaseJournal journal = Built("c1");
  journal.RecordSigned("127.0.0.1:5000/team/app", {"cosign", "127.0.0.1:5000/team/app:sha256-a.sig", "sha256:k"});
  journal.RecordTagged("127.0.0.1:5000/team/app:1.0.0");
  EXPECT_EQ(fs::status(journal.dir() / "journal.json").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);

  auto resumed = ReleaseJournal::Resume(dir_.path(), "1.0.0", Clean("c1"));
  ASSERT_TRUE(resumed.has_value());
  EXPECT_EQ(resumed->digest(), "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(resumed->builder(), "berth");
  EXPECT_TRUE(resumed->Signed("127.0.0.1:5000/team/app"));
  EXPECT_FALSE(resumed->Signed("127.0.0.1:5001/mirror/app"));
  EXPECT_TRUE(resumed->Tagged("127.0.0.1:5000/team/app:1.0.0"));
  EXPECT_FALSE(resumed->Tagged("127.0.0.1:5000/team/app:sha-c1"));

  resumed->Remove();
  EXPECT_FALSE(fs::exists(dir_.path() / ".berth" / "release"));
}

TEST_F(ReleaseJournalTest, AnotherCommitADirtyTreeOrNoGitBuildsAgain) {
  GitState dirty = Clean("c1-dirty");
  dirty.dirty = true;
  GitState no_git;
  for (const GitState& git : {Clean("c2"), dirty, no_git}) {
    Built(git.sha == "c2" ? "c1" : git.sha);
    EXPECT_FALSE(ReleaseJournal::Resume(dir_.path(), "1.0.0", git).has_value()) << git.sha;
    EXPECT_FALSE(fs::exists(dir_.path() / ".berth" / "release" / "1.0.0")) << "discarded: " << git.sha;
  }
  // A journal whose layout is gone cannot be continued either.
  ReleaseJournal journal = Built("c1");
  fs::remove_all(journal.layout_dir());
  EXPECT_FALSE(ReleaseJournal::Resume(dir_.path(), "1.0.0", Clean("c1")).has_value());
}

TEST_F(ReleaseJournalTest, AMalformedJournalIsNamed) {
  fs::create_directories(dir_.path() / ".berth" / "release" / "1.0.0");
  WriteFileAtomic(dir_.path() / ".berth" / "release" / "1.0.0" / "journal.json", "{\"version\": 1}");
  try {
    ReleaseJournal::Resume(dir_.path(), "1.0.0", Clean("c1"));
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("journal.json: not a release journal"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace berth::host::release
