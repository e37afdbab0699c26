// What `berth release` takes from the source tree besides the image: the
// changelog entry (--notes FILE, else CHANGELOG.md) and the git tag (HEAD's
// semver tag, or the one --git-tag creates). Decided in the checks phase, so
// every refusal comes before anything is built or pushed.
#ifndef BERTH_HOST_CORE_RELEASE_RELEASE_SOURCE_H_
#define BERTH_HOST_CORE_RELEASE_RELEASE_SOURCE_H_

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/release/git_tag.h"
#include "core/release/release_plan.h"

namespace berth::host::release {

inline constexpr char kChangelogFile[] = "CHANGELOG.md";

struct ReleaseSource {
  std::string changelog;  // The entry's text; "" when there is none (warned on stderr).
  GitTagPlan git_tag;
};

// `version` is normalised; `notes_file` is --notes (relative to the working
// directory, as any path on the command line). Throws Error(kInvalidInput)
// naming the file for a --notes file that does not exist, a CHANGELOG.md
// that leads out of the project (a symbolic link: its text would be
// recorded in releases.json and a tag message), and for PlanGitTag's
// refusals. A missing entry is a warning, not an error.
ReleaseSource ResolveReleaseSource(const std::filesystem::path& project_dir, const std::string& version, const GitState& git,
                                   const std::optional<std::string>& notes_file, bool create_git_tag);

// After the release is recorded: creates the planned annotated tag at
// `commit` (nothing when none is planned) and says so through `step`. Throws
// Error(kFailure) saying the release is recorded and how to tag it by hand.
void CreateReleaseTag(const std::filesystem::path& project_dir, const ReleaseSource& source, const std::string& version,
                      const std::string& commit, const std::function<void(const std::string&)>& step);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_RELEASE_SOURCE_H_
