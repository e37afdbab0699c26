#include "berth/util/gitignore.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "berth/util/fs.h"
#include "berth/util/log.h"

namespace berth {
namespace fs = std::filesystem;
namespace {

// "/cosign.key " and "cosign.key" ignore the same file at the top of the
// directory; compare lines without the anchor and surrounding blanks.
std::string Canonical(std::string line) {
  size_t begin = line.find_first_not_of(" \t\r");
  size_t end = line.find_last_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  line = line.substr(begin, end - begin + 1);
  if (!line.empty() && line.front() == '/') line.erase(0, 1);
  return line;
}

}  // namespace

bool IsProjectDirectory(const fs::path& dir) {
  std::error_code error;
  fs::path absolute = fs::absolute(dir, error);
  if (error) return false;
  if (fs::exists(absolute / "berth.yaml", error)) return true;
  for (fs::path at = absolute; !at.empty(); at = at.parent_path()) {
    if (fs::exists(at / ".git", error)) return true;
    if (at == at.root_path()) break;
  }
  return false;
}

std::vector<std::string> AddToGitignore(const fs::path& dir, const std::vector<std::string>& patterns) {
  fs::path file = dir / ".gitignore";
  std::error_code error;
  std::string text = fs::exists(file, error) ? ReadFile(file) : "";
  std::set<std::string> present;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) present.insert(Canonical(line));
  std::vector<std::string> added;
  for (const auto& pattern : patterns) {
    if (present.insert(Canonical(pattern)).second) added.push_back(pattern);
  }
  if (added.empty()) return added;
  if (!text.empty() && text.back() != '\n') text += '\n';
  for (const auto& pattern : added) text += pattern + "\n";
  // Keep the file's mode: a .gitignore is a tracked file like any other.
  fs::perms mode = fs::exists(file, error) ? fs::status(file, error).permissions() : fs::perms(0644);
  WriteFileAtomic(file, text, static_cast<mode_t>(mode & fs::perms::mask));
  return added;
}

std::optional<fs::path> KeepOutOfGit(const fs::path& file) {
  std::error_code error;
  fs::path absolute = fs::absolute(file, error);
  if (error) return std::nullopt;
  fs::path dir = absolute.parent_path();
  if (!IsProjectDirectory(dir)) return std::nullopt;
  fs::path gitignore = dir / ".gitignore";
  if (!AddToGitignore(dir, {"/" + absolute.filename().string()}).empty()) {
    log::Info("added {} to {}", absolute.filename().string(), gitignore.string());
  }
  return gitignore;
}

}  // namespace berth
