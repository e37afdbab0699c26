// The pure part of `berth release`: version checks, tag templates, the git
// state, and which tags may be written.
#ifndef BERTH_HOST_CORE_RELEASE_RELEASE_PLAN_H_
#define BERTH_HOST_CORE_RELEASE_RELEASE_PLAN_H_

#include <filesystem>
#include <string>
#include <vector>

#include "core/config/project_config.h"

namespace berth::host::release {

// Semantic Versioning 2.0.0, with an optional leading "v". Throws
// Error(kUsage) with the expected shape when it is not one.
void CheckSemver(const std::string& version);

// The one spelling of a version: checked by CheckSemver, without the leading
// "v", so that `v1.2.3` and `1.2.3` name one release (one ledger entry, and
// `v{version}` renders `v1.2.3`, never `vv1.2.3`).
std::string NormalizeVersion(const std::string& version);

struct GitState {
  bool in_work_tree = false;     // The directory is inside a git work tree.
  bool has_commits = false;      // HEAD names a commit.
  std::string sha = "unknown";   // "unknown" outside a git work tree or before the first commit.
  bool dirty = false;
  std::vector<std::string> changes;  // `git status --porcelain` lines.
};

// Changes to `ignore` (files, or directories and everything under them) do
// not count: release writes the ledger and berth build its layout.
GitState ReadGitState(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& ignore = {});

struct TemplateValues {
  std::string version;
  std::string git_sha;      // Empty when git_missing says why git fields cannot render.
  std::string git_short;
  std::string git_missing;
  std::string date;         // YYYYMMDD, UTC.
};

// The values a release renders its templates with. A dirty tree's git fields
// end in "-dirty" so that a build of uncommitted files never takes the tag
// of the clean commit (release only gets here with --allow-dirty).
TemplateValues ValuesFor(const std::string& version, const GitState& git, int short_length, const std::string& date);

struct RenderedTag {
  std::string tag;
  std::string source;        // The template it came from, for messages.
  bool is_mutable = false;
};

// {version}, {git.sha}, {git.short}, {date}. Throws Error(kInvalidInput)
// naming the template for an unknown placeholder, a git field without git
// (values.git_missing), a result that is not a valid tag, or `latest` from a
// template not marked mutable.
std::vector<RenderedTag> RenderTags(const std::vector<TagTemplate>& templates, const TemplateValues& values);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_RELEASE_PLAN_H_
