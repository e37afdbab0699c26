// The pure part of `berth release`: version checks, tag templates, the git
// state, and which tags may be written.
#ifndef BERTH_HOST_CORE_RELEASE_RELEASE_PLAN_H_
#define BERTH_HOST_CORE_RELEASE_RELEASE_PLAN_H_

#include <filesystem>
#include <string>
#include <vector>

namespace berth::host::release {

// Semantic Versioning 2.0.0, with an optional leading "v". Throws
// Error(kUsage) with the expected shape when it is not one.
void CheckSemver(const std::string& version);

struct GitState {
  std::string sha = "unknown";   // "unknown" outside a git work tree.
  bool dirty = false;
  std::vector<std::string> changes;  // `git status --porcelain` lines.
  std::string ShortSha() const { return sha == "unknown" ? sha : sha.substr(0, 12); }
};

// Changes to `ignore` (files, or directories and everything under them) do
// not count: release writes the ledger and berth build its layout.
GitState ReadGitState(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& ignore = {});

struct TemplateValues {
  std::string version;
  std::string git_sha;
  std::string git_short;
  std::string date;  // YYYYMMDD, UTC.
};

// {version}, {git.sha}, {git.short}, {date}. Throws Error(kInvalidInput)
// naming the template for an unknown placeholder, a result that is not a
// valid tag, or `latest` (releases are immutable; latest is not).
std::vector<std::string> RenderTags(const std::vector<std::string>& templates, const TemplateValues& values);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_RELEASE_PLAN_H_
