#include "core/release/release_plan.h"

#include <algorithm>
#include <regex>
#include <sstream>

#include "berth/error.h"
#include "berth/oci/reference.h"
#include "berth/process.h"

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

GitState ReadGitState(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& ignore) {
  GitState state;
  ProcessOptions options;
  options.cwd = dir;
  ProcessResult head;
  try {
    head = RunProcess({"git", "rev-parse", "--verify", "HEAD"}, options);
  } catch (const Error&) {
    return state;  // No git on this machine: the sha is unknown.
  }
  if (head.exit_code != 0) return state;
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

std::vector<std::string> RenderTags(const std::vector<std::string>& templates, const TemplateValues& values) {
  std::vector<std::string> tags;
  for (const auto& text : templates) {
    std::string tag;
    for (size_t i = 0; i < text.size();) {
      if (text[i] != '{') {
        tag += text[i++];
        continue;
      }
      size_t close = text.find('}', i);
      if (close == std::string::npos) throw Error(ErrorCode::kInvalidInput, "tag template '" + text + "' has an unclosed {");
      std::string name = text.substr(i + 1, close - i - 1);
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
    if (tag == "latest") throw Error(ErrorCode::kInvalidInput, "tag template '" + text + "' gives 'latest'; a release tag must name one release");
    if (!oci::IsValidTag(tag)) throw Error(ErrorCode::kInvalidInput, "tag template '" + text + "' gives '" + tag + "', which is not a valid tag");
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
  }
  return tags;
}

}  // namespace berth::host::release
