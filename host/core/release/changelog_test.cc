#include "core/release/changelog.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::host::release {
namespace {

// keepachangelog.com's own example, shortened: Unreleased first, newest
// release next, link references at the end.
constexpr char kChangelog[] =
    "# Changelog\n"
    "\n"
    "All notable changes to this project will be documented in this file.\n"
    "\n"
    "## [Unreleased]\n"
    "\n"
    "### Added\n"
    "- Not released yet.\n"
    "\n"
    "## [1.1.0] - 2026-12-01\n"
    "\n"
    "### Added\n"
    "- Ledger rendering.\n"
    "\n"
    "### Fixed\n"
    "- A crash.\n"
    "\n"
    "## [v1.0.1] - 2026-11-20\n"
    "### Fixed\n"
    "- Typo.\n"
    "## 1.0.0 - 2026-11-01\n"
    "\n"
    "First release.\n"
    "\n"
    "[unreleased]: https://example.com/compare/v1.1.0...HEAD\n"
    "[1.1.0]: https://example.com/compare/v1.0.1...v1.1.0\n";

TEST(ChangelogTest, TakesTheEntryUpToTheNextReleaseHeading) {
  ChangelogEntry entry = FindChangelogEntry(kChangelog, "1.1.0");
  EXPECT_TRUE(entry.found);
  EXPECT_TRUE(entry.has_unreleased);
  EXPECT_EQ(entry.text, "### Added\n- Ledger rendering.\n\n### Fixed\n- A crash.");
}

TEST(ChangelogTest, AVersionWithOrWithoutVIsOneVersion) {
  EXPECT_EQ(FindChangelogEntry(kChangelog, "1.0.1").text, "### Fixed\n- Typo.");
  EXPECT_EQ(FindChangelogEntry(kChangelog, "v1.0.1").text, "### Fixed\n- Typo.");
  EXPECT_EQ(FindChangelogEntry(kChangelog, "v1.1.0").text, FindChangelogEntry(kChangelog, "1.1.0").text);
}

TEST(ChangelogTest, TheLastEntryEndsBeforeTheLinkReferences) {
  ChangelogEntry entry = FindChangelogEntry(kChangelog, "1.0.0");
  EXPECT_TRUE(entry.found);
  EXPECT_EQ(entry.text, "First release.");
  // The last section in a file without references runs to the end.
  EXPECT_EQ(FindChangelogEntry("## [2.0.0]\n\n- Done.\n\n", "2.0.0").text, "- Done.");
  EXPECT_EQ(FindChangelogEntry("## [2.0.0]\n- Done.", "2.0.0").text, "- Done.");
}

TEST(ChangelogTest, UnreleasedIsNeverANamedVersion) {
  ChangelogEntry entry = FindChangelogEntry(kChangelog, "1.2.0");
  EXPECT_FALSE(entry.found);
  EXPECT_TRUE(entry.has_unreleased);
  EXPECT_EQ(entry.text, "");
  ChangelogEntry without = FindChangelogEntry("## [1.0.0]\n- x\n", "1.2.0");
  EXPECT_FALSE(without.found);
  EXPECT_FALSE(without.has_unreleased);
}

TEST(ChangelogTest, CrlfLineEndsAreReadAsLf) {
  ChangelogEntry entry = FindChangelogEntry("# Changelog\r\n\r\n## [1.0.0] - 2026-11-01\r\n### Added\r\n- One.\r\n\r\n## [0.9.0]\r\n- Zero.\r\n", "1.0.0");
  EXPECT_TRUE(entry.found);
  EXPECT_EQ(entry.text, "### Added\n- One.");
}

TEST(ChangelogTest, OnlyLevelTwoHeadingsOutsideCodeEndAnEntry) {
  ChangelogEntry entry = FindChangelogEntry(
      "## [1.0.0]\n### Changed\n#### Details\n- a\n```\n## [0.1.0] is how headings look\n```\n- b\n## [0.9.0]\n- old\n", "1.0.0");
  EXPECT_EQ(entry.text, "### Changed\n#### Details\n- a\n```\n## [0.1.0] is how headings look\n```\n- b");
  // A version that only appears inside the code block is not an entry.
  EXPECT_FALSE(FindChangelogEntry("## [1.0.0]\n```\n## [0.1.0]\n```\n", "0.1.0").found);
}

TEST(ChangelogTest, HeadingSpellings) {
  EXPECT_EQ(HeadingVersion("## [1.2.3] - 2026-12-01"), "1.2.3");
  EXPECT_EQ(HeadingVersion("## [v1.2.3]"), "1.2.3");
  EXPECT_EQ(HeadingVersion("## 1.2.3"), "1.2.3");
  EXPECT_EQ(HeadingVersion("## v1.2.3 - 2026-12-01"), "1.2.3");
  EXPECT_EQ(HeadingVersion("## [1.2.3](https://example.com/v1.2.3) - 2026-12-01"), "1.2.3");
  EXPECT_EQ(HeadingVersion("## [Unreleased]"), "Unreleased");
  EXPECT_EQ(HeadingVersion("### [1.2.3]"), "");
  EXPECT_EQ(HeadingVersion("##[1.2.3]"), "");
  EXPECT_EQ(HeadingVersion("## [1.2.3"), "");
  // A prefix is not the version: 1.2.30 is not 1.2.3.
  EXPECT_FALSE(FindChangelogEntry("## [1.2.30]\n- x\n", "1.2.3").found);
  EXPECT_FALSE(FindChangelogEntry("## [1.2.3-rc.1]\n- x\n", "1.2.3").found);
}

TEST(ChangelogTest, AnEmptyEntryIsFoundAndEmpty) {
  ChangelogEntry entry = FindChangelogEntry("## [1.0.0]\n\n## [0.9.0]\n- x\n", "1.0.0");
  EXPECT_TRUE(entry.found);
  EXPECT_EQ(entry.text, "");
}

TEST(ChangelogTest, AMissingFileIsNotAnError) {
  TempDir dir("berth-changelog-test");
  ChangelogEntry missing = ReadChangelogEntry(dir.path() / "CHANGELOG.md", "1.0.0");
  EXPECT_FALSE(missing.file_exists);
  EXPECT_FALSE(missing.found);
  WriteFileAtomic(dir.path() / "CHANGELOG.md", kChangelog);
  ChangelogEntry read = ReadChangelogEntry(dir.path() / "CHANGELOG.md", "1.1.0");
  EXPECT_TRUE(read.file_exists);
  EXPECT_TRUE(read.found);
  EXPECT_EQ(read.text, FindChangelogEntry(kChangelog, "1.1.0").text);
}

}  // namespace
}  // namespace berth::host::release
