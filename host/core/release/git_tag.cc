#include "core/release/git_tag.h"

#include <algorithm>
#include <sstream>

#include "berth/error.h"
#include "berth/util/process.h"
#include "berth/util/text.h"

namespace berth::host::release {
namespace {

ProcessResult Git(const std::filesystem::path& dir, const std::vector<std::string>& args, const std::string& stdin_data = "") {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.cwd = dir;
  options.stdin_data = stdin_data;
  return RunProcess(argv, options);
}

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool IsSemver(const std::string& name) {
  try {
    CheckSemver(name);
    return true;
  } catch (const Error&) {
    return false;
  }
}

std::string Short(const std::string& sha) { return sha.substr(0, 12); }

}  // namespace

std::vector<std::string> HeadSemverTags(const std::filesystem::path& dir) {
  std::vector<std::string> tags;
  ProcessResult listed;
  try {
    listed = Git(dir, {"tag", "--points-at", "HEAD"});
  } catch (const Error&) {
    return tags;  // No git on this machine: ReadGitState saw no work tree either.
  }
  if (listed.exit_code != 0) return tags;  // Not a work tree, or no commit yet.
  std::istringstream lines(listed.stdout_data);
  for (std::string line; std::getline(lines, line);) {
    if (IsSemver(line)) tags.push_back(line);
  }
  std::sort(tags.begin(), tags.end());
  return tags;
}

std::optional<std::string> TagCommit(const std::filesystem::path& dir, const std::string& name) {
  ProcessResult commit = Git(dir, {"rev-parse", "-q", "--verify", "refs/tags/" + name + "^{commit}"});
  if (commit.exit_code != 0) return std::nullopt;
  return FirstLine(commit.stdout_data);
}

GitTagPlan PlanGitTag(const std::string& version, const GitState& git, const std::vector<std::string>& head_tags,
                      bool create_tag, const std::optional<std::string>& existing_commit) {
  GitTagPlan plan;
  const std::string wanted = "v" + version;
  // Prefer the spelling --git-tag writes when HEAD carries both.
  for (const auto& tag : head_tags) {
    if (NormalizeVersion(tag) == version && (plan.recorded.empty() || tag == wanted)) plan.recorded = tag;
  }
  if (!head_tags.empty() && plan.recorded.empty()) {
    throw Error(ErrorCode::kInvalidInput, "HEAD is tagged " + Join(head_tags, ", ") + ", which does not agree with release " + version +
                                              "; release that version, or tag this commit v" + version);
  }
  if (!create_tag) return plan;

  if (!git.in_work_tree || !git.has_commits) {
    throw Error(ErrorCode::kInvalidInput, "--git-tag needs a git work tree with a commit to tag");
  }
  if (git.dirty) {
    throw Error(ErrorCode::kInvalidInput, "--git-tag needs a clean git tree (" + git.changes.front() +
                                              (git.changes.size() > 1 ? ", ..." : "") + "): a tag names a commit, and this build is not one");
  }
  if (existing_commit && *existing_commit != git.sha) {
    throw Error(ErrorCode::kInvalidInput, "git tag " + wanted + " already names commit " + Short(*existing_commit) + ", not HEAD (" +
                                              Short(git.sha) + "); --git-tag never moves a tag");
  }
  if (!plan.recorded.empty() && plan.recorded != wanted) {
    throw Error(ErrorCode::kInvalidInput, "HEAD is already tagged " + plan.recorded + " for release " + version +
                                              "; --git-tag would add " + wanted + " beside it: leave out --git-tag");
  }
  plan.recorded = wanted;
  plan.create = !existing_commit;  // Already at HEAD: nothing to create, and recording it is still true.
  return plan;
}

void RequireTaggerIdentity(const std::filesystem::path& dir) {
  ProcessResult ident = Git(dir, {"var", "GIT_COMMITTER_IDENT"});
  if (ident.exit_code != 0) {
    // git explains at length; its last "fatal:" line is the one that names the problem.
    size_t fatal = ident.stderr_data.rfind("fatal:");
    std::string reason = FirstLine(ident.stderr_data.substr(fatal == std::string::npos ? 0 : fatal));
    throw Error(ErrorCode::kInvalidInput, "--git-tag needs a tagger identity, and git has none (" + reason +
                                              "); set user.name and user.email in git's config");
  }
}

std::string TagMessage(const std::string& version, const std::string& changelog) {
  std::string message = "berth release " + version + "\n";
  if (!changelog.empty()) message += "\n" + changelog + "\n";
  return message;
}

void CreateAnnotatedTag(const std::filesystem::path& dir, const std::string& name, const std::string& commit,
                        const std::string& message) {
  ProcessResult created = Git(dir, {"tag", "-a", "--cleanup=verbatim", "-F", "-", name, commit}, message);
  if (created.exit_code != 0) {
    throw Error(ErrorCode::kFailure, "git tag " + name + " failed: " + FirstLine(created.stderr_data));
  }
}

}  // namespace berth::host::release
