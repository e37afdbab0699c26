// A release's changelog entry from a CHANGELOG.md in the Keep a Changelog
// format (https://keepachangelog.com): `## [1.2.3] - 2026-12-01` headings,
// each followed by `### Added`, `### Fixed`... sections.
#ifndef BERTH_HOST_CORE_RELEASE_CHANGELOG_H_
#define BERTH_HOST_CORE_RELEASE_CHANGELOG_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace berth::host::release {

struct ChangelogEntry {
  bool file_exists = false;     // Set by ReadChangelogEntry only.
  bool found = false;           // A heading names the version.
  std::string text;             // The entry under that heading, trimmed, "\n" line ends.
  bool has_unreleased = false;  // An `## [Unreleased]` section exists (never used for a named version).
};

// The entry of `version` in `markdown`: everything from the line after its
// `## ` heading up to the next `## ` heading (or the end), with the link
// reference definitions Keep a Changelog puts at the end of the file left
// out. Headings may read `## [1.2.3] - DATE`, `## [v1.2.3]`, `## 1.2.3` or
// `## [1.2.3](URL) - DATE`; `v1.2.3` and `1.2.3` are one version. CRLF line
// ends are read as LF; `## ` inside a fenced code block is not a heading.
ChangelogEntry FindChangelogEntry(std::string_view markdown, const std::string& version);

// FindChangelogEntry over `file`; file_exists is false (and nothing found)
// when it does not exist. Throws Error(kInvalidInput) when it exists but
// cannot be read.
ChangelogEntry ReadChangelogEntry(const std::filesystem::path& file, const std::string& version);

// The version a `## ` heading line names ("Unreleased" included), or "" when
// it is not such a heading. Exposed for tests.
std::string HeadingVersion(std::string_view line);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_CHANGELOG_H_
