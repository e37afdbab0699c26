// The git tag of a release: which semver tags HEAD carries, whether they
// agree with the version being released, and the annotated tag
// `berth release --git-tag` creates. Git runs through RunProcess, argv only;
// berth never pushes a tag.
#ifndef BERTH_HOST_CORE_RELEASE_GIT_TAG_H_
#define BERTH_HOST_CORE_RELEASE_GIT_TAG_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/release/release_plan.h"

namespace berth::host::release {

// The tags pointing at HEAD (lightweight, or annotated and peeled to it)
// that are semantic versions (`v1.2.3` or `1.2.3`), sorted. Empty outside a
// git work tree or before the first commit.
std::vector<std::string> HeadSemverTags(const std::filesystem::path& dir);

// The commit refs/tags/NAME names (an annotated tag peeled), or nullopt
// when there is no such tag.
std::optional<std::string> TagCommit(const std::filesystem::path& dir, const std::string& name);

// What the release does about git tags, decided in the checks phase.
struct GitTagPlan {
  std::string recorded;  // The tag recorded in the ledger ("" for none).
  bool create = false;   // Create `recorded` at the release's commit after recording it.
};

// The pure decision. `version` is normalised. Throws Error(kInvalidInput),
// one line naming both, when HEAD carries semver tags and none of them is
// `version`; with `create_tag` (--git-tag) also when the tree is dirty or not
// a git work tree with a commit, when `v<version>` already names
// `existing_commit` other than HEAD, or when HEAD carries the version under
// another tag name.
GitTagPlan PlanGitTag(const std::string& version, const GitState& git, const std::vector<std::string>& head_tags,
                      bool create_tag, const std::optional<std::string>& existing_commit);

// Throws Error(kInvalidInput) when git has no identity to put on a tag
// (user.name / user.email), so that --git-tag fails before the build rather
// than after the release is recorded.
void RequireTaggerIdentity(const std::filesystem::path& dir);

// The message of the annotated tag: "berth release VERSION", then the
// changelog entry after a blank line when there is one.
std::string TagMessage(const std::string& version, const std::string& changelog);

// `git tag -a NAME -F - COMMIT`, the message on stdin and kept verbatim
// (Markdown headings start with '#', which git's default cleanup would drop
// as comments). Throws Error(kFailure) with git's own reason.
void CreateAnnotatedTag(const std::filesystem::path& dir, const std::string& name, const std::string& commit,
                        const std::string& message);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_GIT_TAG_H_
