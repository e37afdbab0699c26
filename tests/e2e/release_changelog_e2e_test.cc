// berth release with a changelog and git tags, and berth ledger render, as a
// user runs them against a real docker-registry: the CHANGELOG.md entry in
// the ledger and RELEASES.md, --git-tag's annotated tag (never pushed), a
// HEAD tag that disagrees with the version refused before anything is
// built, and a hand-edited RELEASES.md caught by `ledger render --check`.
#include <gtest/gtest.h>

#include <algorithm>

#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kChangelog[] =
    "# Changelog\n"
    "\n"
    "## [Unreleased]\n"
    "\n"
    "### Added\n"
    "- Not yet.\n"
    "\n"
    "## [1.1.0] - 2026-12-01\n"
    "\n"
    "### Added\n"
    "- A greeting.\n"
    "\n"
    "### Fixed\n"
    "- The typo.\n"
    "\n"
    "## [1.0.0] - 2026-11-01\n"
    "\n"
    "- First.\n"
    "\n"
    "[1.1.0]: https://example.invalid/compare/v1.0.0...v1.1.0\n";

constexpr char kEntry[] = "### Added\n- A greeting.\n\n### Fixed\n- The typo.";

class ReleaseChangelogE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    berth_.SetEnv("SOURCE_DATE_EPOCH", "1700000000");
    // The identity git puts on the annotated tag berth creates (the private
    // HOME has no git config).
    for (const char* name : {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"}) berth_.SetEnv(name, "t");
    for (const char* name : {"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"}) berth_.SetEnv(name, "t@example.invalid");
    registry_ = StartRegistry("plain");
    fs::path site = berth_.work_dir() / "site";
    CreateDirectories(site);
    WriteFileAtomic(site / "index.html", "<h1>hello</h1>\n");
    WriteFileAtomic(berth_.work_dir() / "berth.yaml",
                    "service: hello\n"
                    "image: " + registry_->host() + "/team/hello\n"
                    "build:\n"
                    "  context: site\n"
                    "  builder: berth\n"
                    "  base: scratch\n"
                    "tags: [\"{version}\"]\n");
    WriteFileAtomic(berth_.work_dir() / "CHANGELOG.md", kChangelog);
    berth_.Git({"init", "-q"});
    Commit("first");
  }

  void Commit(const std::string& message) {
    berth_.Git({"add", "-A"});
    berth_.Git({"commit", "-q", "-m", message});
  }
  std::string GitOut(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"git"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.cwd = berth_.work_dir();
    return RunProcess(argv, options).stdout_data;
  }
  std::vector<std::string> Release(const std::string& version, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"release", version, "--plain-http", registry_->host()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  // Whether the registry holds the repository at all: nothing was pushed when not.
  bool Pushed() const {
    return berth_.Run({"tags", registry_->host() + "/team/hello", "--plain-http", registry_->host()}).exit_code == 0;
  }
  json Ledger() const { return json::parse(ReadFile(berth_.work_dir() / "releases.json")); }

  BerthRunner berth_;
  std::unique_ptr<TestPeer> registry_;
};

TEST_F(ReleaseChangelogE2eTest, TheChangelogEntryAndTheGitTagAreRecorded) {
  // A remote to prove that berth tags locally and pushes no tag anywhere.
  fs::path remote = berth_.home() / "remote.git";
  ASSERT_EQ(RunProcess({"git", "init", "-q", "--bare", remote.string()}).exit_code, 0);
  berth_.Git({"remote", "add", "origin", remote.string()});
  berth_.Git({"push", "-q", "origin", "HEAD"});
  const std::string head = GitOut({"rev-parse", "HEAD"}).substr(0, 40);

  ProcessResult released = berth_.Run(Release("v1.1.0", {"--git-tag", "-o", "json"}));
  ASSERT_EQ(released.exit_code, 0) << Describe(released);
  json record = json::parse(released.stdout_data);
  EXPECT_EQ(record["changelog"], kEntry);
  EXPECT_EQ(record["git_tag"], "v1.1.0");
  EXPECT_NE(released.stderr_data.find("release: tagged " + head.substr(0, 12) + " v1.1.0 (annotated; not pushed)"), std::string::npos)
      << released.stderr_data;
  json ledger = Ledger();
  EXPECT_EQ(ledger["releases"][0]["changelog"], kEntry);
  EXPECT_EQ(ledger["releases"][0]["git_tag"], "v1.1.0");

  // An annotated tag at the released commit, carrying the entry.
  EXPECT_EQ(GitOut({"cat-file", "-t", "v1.1.0"}), "tag\n");
  EXPECT_EQ(GitOut({"rev-parse", "v1.1.0^{commit}"}).substr(0, 40), head);
  EXPECT_EQ(GitOut({"tag", "-l", "--format=%(contents)", "v1.1.0"}), "berth release 1.1.0\n\n" + std::string(kEntry) + "\n\n");
  EXPECT_EQ(GitOut({"ls-remote", "--tags", "origin"}), "") << "berth pushed a tag";

  // RELEASES.md: tag, image, digest, changelog, in that order.
  const std::string markdown = ReadFile(berth_.work_dir() / "RELEASES.md");
  const std::vector<size_t> at = {markdown.find("- Git tag: `v1.1.0`"), markdown.find("  - `" + registry_->host() + "/team/hello:1.1.0`"),
                                  markdown.find("- Digest: `" + record["digest"].get<std::string>() + "`"),
                                  markdown.find("\n### Added\n- A greeting.\n\n### Fixed\n- The typo.\n")};
  for (size_t i = 0; i < at.size(); ++i) {
    ASSERT_NE(at[i], std::string::npos) << i << "\n" << markdown;
    if (i > 0) {
      EXPECT_LT(at[i - 1], at[i]) << i << "\n" << markdown;
    }
  }
  EXPECT_EQ(markdown.find("Not yet."), std::string::npos) << "the Unreleased section is not 1.1.0's";

  // A later commit, its notes from a file given on the command line.
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>again</h1>\n");
  Commit("again");
  ProcessResult next = berth_.Run(Release("1.1.1", {"--notes", "CHANGELOG.md", "--git-tag"}));
  EXPECT_EQ(next.exit_code, 0) << Describe(next);
  EXPECT_EQ(GitOut({"cat-file", "-t", "v1.1.1"}), "tag\n");
  EXPECT_EQ(Ledger()["releases"][1]["changelog"], std::string(kChangelog).substr(0, std::string(kChangelog).size() - 1))
      << "--notes takes the file's whole text";
}

TEST_F(ReleaseChangelogE2eTest, AHeadTagThatDisagreesIsRefusedBeforeAnythingIsBuilt) {
  berth_.Git({"tag", "v1.0.0"});
  ProcessResult refused = berth_.Run(Release("1.1.0"));
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  EXPECT_EQ(refused.stderr_data,
            "error: HEAD is tagged v1.0.0, which does not agree with release 1.1.0; release that version, or tag this commit v1.1.0\n");
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "RELEASES.md"));
  EXPECT_FALSE(Pushed());

  // --git-tag would move v1.1.0 from another commit: refused too.
  berth_.Git({"tag", "v1.1.0", "HEAD"});
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>next</h1>\n");
  Commit("next");
  ProcessResult moving = berth_.Run(Release("1.1.0", {"--git-tag"}));
  EXPECT_EQ(moving.exit_code, 3) << Describe(moving);
  EXPECT_NE(moving.stderr_data.find("git tag v1.1.0 already names commit "), std::string::npos) << moving.stderr_data;
  EXPECT_NE(moving.stderr_data.find("--git-tag never moves a tag"), std::string::npos) << moving.stderr_data;
  EXPECT_FALSE(Pushed());
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));

  // Back on the tagged commit, the lightweight tag agrees and is recorded.
  berth_.Git({"checkout", "-q", "v1.0.0"});
  json record = berth_.Json(Release("1.0.0"));
  EXPECT_EQ(record["git_tag"], "v1.0.0");
  EXPECT_EQ(record["changelog"], "- First.");
  EXPECT_TRUE(Pushed());
}

TEST_F(ReleaseChangelogE2eTest, AMissingEntryWarnsAndMissingNotesRefuse) {
  ProcessResult missing_notes = berth_.Run(Release("1.2.0", {"--notes", "NOTES.md"}));
  EXPECT_EQ(missing_notes.exit_code, 3) << Describe(missing_notes);
  EXPECT_EQ(missing_notes.stderr_data, "error: --notes NOTES.md: no such file\n");
  EXPECT_FALSE(Pushed());

  ProcessResult released = berth_.Run(Release("1.2.0", {"-o", "json"}));
  ASSERT_EQ(released.exit_code, 0) << Describe(released);
  EXPECT_EQ(json::parse(released.stdout_data)["changelog"], "");
  EXPECT_NE(released.stderr_data.find("warning: release 1.2.0: CHANGELOG.md has no '## [1.2.0]' entry (its [Unreleased] section is not "
                                      "used for a named version: rename it '## [1.2.0] - DATE'); recording an empty changelog"),
            std::string::npos)
      << released.stderr_data;
  EXPECT_FALSE(Ledger()["releases"][0].contains("git_tag"));
}

TEST_F(ReleaseChangelogE2eTest, LedgerRenderCheckCatchesAHandEditedMarkdownLedger) {
  json record = berth_.Json(Release("1.1.0"));
  const fs::path markdown_file = berth_.work_dir() / "RELEASES.md";
  const std::string generated = ReadFile(markdown_file);
  json current = berth_.Json({"ledger", "render", "--check"});
  EXPECT_EQ(current["changed"], false);

  // Someone fixes a typo in the Markdown instead of in releases.json.
  std::string edited = generated;
  edited.replace(edited.find("The typo."), 9, "The typo!");
  WriteFileAtomic(markdown_file, edited);
  ProcessResult check = berth_.Run({"ledger", "render", "--check"});
  EXPECT_EQ(check.exit_code, 3) << Describe(check);
  const size_t line = static_cast<size_t>(std::count(generated.begin(), generated.begin() + generated.find("The typo."), '\n')) + 1;
  EXPECT_EQ(check.stderr_data, "error: RELEASES.md:" + std::to_string(line) +
                                   ": differs from what releases.json renders (edit releases.json, not RELEASES.md); run: berth ledger render\n");
  EXPECT_EQ(ReadFile(markdown_file), edited) << "--check changes nothing";

  json rendered = berth_.Json({"ledger", "render"});
  EXPECT_EQ(rendered["changed"], true);
  EXPECT_EQ(ReadFile(markdown_file), generated);
  EXPECT_EQ(berth_.Run({"ledger", "render", "--check"}).exit_code, 0);

  // An edit of the record shows up in the view.
  json ledger = Ledger();
  ledger["releases"][0]["changelog"] = "- Rewritten.";
  WriteFileAtomic(berth_.work_dir() / "releases.json", ledger.dump(2) + "\n");
  EXPECT_EQ(berth_.Run({"ledger", "render", "--check"}).exit_code, 3);
  berth_.Json({"ledger", "render"});
  EXPECT_NE(ReadFile(markdown_file).find("\n- Rewritten.\n"), std::string::npos);
  fs::remove(markdown_file);
  ProcessResult gone = berth_.Run({"ledger", "render", "--check"});
  EXPECT_EQ(gone.exit_code, 3);
  EXPECT_EQ(gone.stderr_data, "error: RELEASES.md does not exist; run: berth ledger render\n");
}

}  // namespace
}  // namespace berth::testing
