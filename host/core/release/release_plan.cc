#include "core/release/release_plan.h"

#include <algorithm>
#include <regex>
#include <sstream>

#include "berth/error.h"
#include "berth/oci/reference.h"
#include "berth/util/process.h"

namespace berth::host::release {

void CheckSemver(const std::string& version) {
  // semver.org's regular expression, with "v" allowed in front.
  static const std::regex kSemver(
      R"(^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*))"
      R"((?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?)"
      R"((?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$)");
  if (!std::regex_match(version, kSemver)) {
    throw Error(ErrorCode::kUsage, "version '" + version + "' is not semantic (MAJOR.MINOR.PATCH, e.g. 1.4.2 or 2.0.0-rc.1)");
  }
}

std::string NormalizeVersion(const std::string& version) {
  CheckSemver(version);
  return version[0] == 'v' ? version.substr(1) : version;
}

GitState ReadGitState(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& ignore) {
  GitState state;
  ProcessOptions options;
  options.cwd = dir;
  ProcessResult inside;
  try {
    inside = RunProcess({"git", "rev-parse", "--is-inside-work-tree"}, options);
  } catch (const Error&) {
    return state;  // No git on this machine: not a work tree as far as berth can tell.
  }
  if (inside.exit_code != 0 || inside.stdout_data.rfind("true", 0) != 0) return state;
  state.in_work_tree = true;
  ProcessResult head = RunProcess({"git", "rev-parse", "--verify", "-q", "HEAD"}, options);
  if (head.exit_code != 0) return state;  // No commit yet.
  state.has_commits = true;
  std::string sha = head.stdout_data.substr(0, head.stdout_data.find('\n'));
  state.sha = sha;
  ProcessResult status = RunProcess({"git", "status", "--porcelain", "--untracked-files=normal", "--", "."}, options);
  if (status.exit_code != 0) throw Error(ErrorCode::kFailure, "git status failed in " + dir.string() + ": " + status.stderr_data);
  ProcessResult top = RunProcess({"git", "rev-parse", "--show-toplevel"}, options);
  std::filesystem::path root = top.stdout_data.substr(0, top.stdout_data.find('\n'));
  auto ignored = [&](const std::string& relative) {
    std::error_code error;
    std::filesystem::path changed = std::filesystem::weakly_canonical(root / relative, error);
    for (const auto& path : ignore) {
      std::filesystem::path skip = std::filesystem::weakly_canonical(path, error);
      auto mismatch = std::mismatch(skip.begin(), skip.end(), changed.begin(), changed.end());
      if (mismatch.first == skip.end()) return true;
    }
    return false;
  };
  std::istringstream lines(status.stdout_data);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > 3 && !ignored(line.substr(3))) state.changes.push_back(line);
  }
  state.dirty = !state.changes.empty();
  return state;
}

TemplateValues ValuesFor(const std::string& version, const GitState& git, int short_length, const std::string& date) {
  TemplateValues values;
  values.version = version;
  values.date = date;
  if (!git.in_work_tree) {
    values.git_missing = "the project is not in a git work tree (git init, then commit)";
  } else if (!git.has_commits) {
    values.git_missing = "the git repository has no commits yet (commit first)";
  } else {
    std::string suffix = git.dirty ? "-dirty" : "";
    values.git_sha = git.sha + suffix;
    values.git_short = git.sha.substr(0, static_cast<size_t>(short_length)) + suffix;
  }
  return values;
}

std::vector<RenderedTag> RenderTags(const std::vector<TagTemplate>& templates, const TemplateValues& values) {
  std::vector<RenderedTag> tags;
  for (const auto& item : templates) {
    const std::string& text = item.text;
    std::string tag;
    for (size_t i = 0; i < text.size();) {
      if (text[i] != '{') {
        tag += text[i++];
        continue;
      }
      size_t close = text.find('}', i);
      if (close == std::string::npos) throw Error(ErrorCode::kInvalidInput, "tag template '" + text + "' has an unclosed {");
      std::string name = text.substr(i + 1, close - i - 1);
      bool git_field = name == "git.sha" || name == "git.short";
      // A git field without a commit would render a placeholder that every
      // later build shares ("sha-unknown"): a tag that moves.
      if (git_field && !values.git_missing.empty()) {
        throw Error(ErrorCode::kInvalidInput, "tag template '" + text + "' needs {" + name + "}, but " + values.git_missing);
      }
      if (name == "version") tag += values.version;
      else if (name == "git.sha") tag += values.git_sha;
      else if (name == "git.short") tag += values.git_short;
      else if (name == "date") tag += values.date;
      else throw Error(ErrorCode::kInvalidInput, "tag template '" + text + "' uses {" + name + "}; known: {version}, {git.sha}, {git.short}, {date}");
      i = close + 1;
    }
    // Build metadata ("+build.5") is not allowed in a tag; registries use "_" for it.
    for (char& c : tag) {
      if (c == '+') c = '_';
    }
    if (tag == "latest" && !item.is_mutable) {
      throw Error(ErrorCode::kInvalidInput, "tag template '" + text + "' gives 'latest'; a release tag must name one release "
                                            "(mark a channel tag {template: latest, mutable: true})");
    }
    if (!oci::IsValidTag(tag)) throw Error(ErrorCode::kInvalidInput, "tag template '" + text + "' gives '" + tag + "', which is not a valid tag");
    auto same = std::find_if(tags.begin(), tags.end(), [&](const RenderedTag& seen) { return seen.tag == tag; });
    if (same == tags.end()) {
      tags.push_back({tag, text, item.is_mutable});
    } else {
      same->is_mutable = same->is_mutable && item.is_mutable;  // Immutable wins.
    }
  }
  return tags;
}

}  // namespace berth::host::release
