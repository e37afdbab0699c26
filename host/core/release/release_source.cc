#include "core/release/release_source.h"

#include <algorithm>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "core/release/changelog.h"

namespace berth::host::release {
namespace fs = std::filesystem;
namespace {

std::string NotesText(const std::string& notes_file) {
  std::error_code error;
  if (!fs::exists(notes_file, error)) throw Error(ErrorCode::kInvalidInput, "--notes " + notes_file + ": no such file");
  std::string text = ReadFile(notes_file);
  // The same line ends and trimming as an entry read from CHANGELOG.md.
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t')) text.pop_back();
  size_t start = text.find_first_not_of('\n');
  return start == std::string::npos ? "" : text.substr(start);
}

// A cloned repository's CHANGELOG.md could be a link to ~/.ssh/id_rsa:
// whatever it reads ends up in releases.json, RELEASES.md and a tag message,
// all meant to be committed and pushed.
void RefuseChangelogOutsideProject(const fs::path& project_dir, const fs::path& file) {
  std::error_code error;
  fs::path root = fs::weakly_canonical(fs::absolute(project_dir), error);
  fs::path resolved = fs::weakly_canonical(fs::absolute(file), error);
  auto mismatch = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
  if (mismatch.first != root.end()) {
    throw Error(ErrorCode::kInvalidInput, file.string() + " leads out of the project (to " + resolved.string() +
                                              "); berth reads the changelog only from inside it");
  }
  if (!fs::is_regular_file(resolved, error)) {
    throw Error(ErrorCode::kInvalidInput, file.string() + " is not a regular file");
  }
}

std::string ChangelogText(const fs::path& project_dir, const std::string& version) {
  fs::path file = project_dir / kChangelogFile;
  std::error_code error;
  if (!fs::exists(file, error)) {
    log::Warn("release {}: no {} in {} and no --notes; recording an empty changelog", version, kChangelogFile, project_dir.string());
    return "";
  }
  RefuseChangelogOutsideProject(project_dir, file);
  ChangelogEntry entry = ReadChangelogEntry(file, version);
  if (!entry.found) {
    log::Warn("release {}: {} has no '## [{}]' entry{}; recording an empty changelog", version, kChangelogFile, version,
              entry.has_unreleased ? " (its [Unreleased] section is not used for a named version: rename it '## [" + version + "] - DATE')"
                                   : "");
  }
  return entry.text;
}

}  // namespace

ReleaseSource ResolveReleaseSource(const fs::path& project_dir, const std::string& version, const GitState& git,
                                   const std::optional<std::string>& notes_file, bool create_git_tag) {
  ReleaseSource source;
  source.changelog = notes_file ? NotesText(*notes_file) : ChangelogText(project_dir, version);
  std::vector<std::string> head_tags = git.has_commits ? HeadSemverTags(project_dir) : std::vector<std::string>{};
  std::optional<std::string> existing = create_git_tag && git.has_commits ? TagCommit(project_dir, "v" + version) : std::nullopt;
  source.git_tag = PlanGitTag(version, git, head_tags, create_git_tag, existing);
  if (source.git_tag.create) RequireTaggerIdentity(project_dir);
  return source;
}

void CreateReleaseTag(const fs::path& project_dir, const ReleaseSource& source, const std::string& version, const std::string& commit,
                      const std::function<void(const std::string&)>& step) {
  if (!source.git_tag.create) return;
  const std::string& name = source.git_tag.recorded;
  try {
    CreateAnnotatedTag(project_dir, name, commit, TagMessage(version, source.changelog));
  } catch (const Error& error) {
    throw Error(ErrorCode::kFailure, "release " + version + " is recorded, but " + error.what() + "; tag it by hand: git tag -a " + name +
                                         " " + commit.substr(0, 12));
  }
  step("tagged " + commit.substr(0, 12) + " " + name + " (annotated; not pushed)");
}

}  // namespace berth::host::release
