#include "core/release/changelog.h"

#include <cctype>
#include <regex>
#include <vector>

#include "berth/util/fs.h"

namespace berth::host::release {
namespace {

// `v1.2.3` and `1.2.3` are one version (release::NormalizeVersion's rule,
// without its semver check: a heading may name anything).
std::string Bare(std::string_view version) {
  if (version.size() > 1 && version[0] == 'v' && std::isdigit(static_cast<unsigned char>(version[1]))) version.remove_prefix(1);
  return std::string(version);
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string line(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    // Windows editors write CRLF; a stray CR would end up in the ledger.
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

bool Blank(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos;
}

// `[1.2.3]: https://...compare/v1.2.2...v1.2.3`: Keep a Changelog's link
// targets for the headings, gathered at the end of the file. They belong to
// the file, not to the last entry above them.
bool LinkReference(const std::string& line) {
  static const std::regex kReference(R"(^ {0,3}\[[^\]]+\]:\s*\S.*$)");
  return std::regex_match(line, kReference);
}

bool Fence(const std::string& line) {
  size_t at = line.find_first_not_of(' ');
  return at != std::string::npos && at < 4 && (line.compare(at, 3, "```") == 0 || line.compare(at, 3, "~~~") == 0);
}

bool LevelTwoHeading(const std::string& line) { return line.rfind("## ", 0) == 0; }

}  // namespace

std::string HeadingVersion(std::string_view line) {
  if (line.substr(0, 3) != "## ") return "";
  line.remove_prefix(3);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  if (!line.empty() && line.front() == '[') {
    size_t close = line.find(']');
    if (close == std::string_view::npos) return "";
    return Bare(line.substr(1, close - 1));
  }
  size_t end = line.find_first_of(" \t");
  return Bare(line.substr(0, end));
}

ChangelogEntry FindChangelogEntry(std::string_view markdown, const std::string& version) {
  ChangelogEntry entry;
  const std::string wanted = Bare(version);
  std::vector<std::string> body;
  bool in_fence = false;
  bool in_entry = false;
  for (const std::string& line : Lines(markdown)) {
    bool heading = !in_fence && LevelTwoHeading(line);
    if (Fence(line)) in_fence = !in_fence;
    if (heading) {
      std::string named = HeadingVersion(line);
      for (char& c : named) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (named == "unreleased") entry.has_unreleased = true;
      if (in_entry) break;  // The next release's heading ends this entry.
      if (!entry.found && HeadingVersion(line) == wanted) {
        entry.found = true;
        in_entry = true;
      }
      continue;
    }
    if (in_entry) body.push_back(line);
  }
  // has_unreleased may miss a section after the entry (the loop stops
  // there); it only matters when nothing was found, and then every line was read.
  while (!body.empty() && (Blank(body.back()) || LinkReference(body.back()))) body.pop_back();
  size_t first = 0;
  while (first < body.size() && Blank(body[first])) ++first;
  for (size_t i = first; i < body.size(); ++i) {
    entry.text += body[i];
    if (i + 1 < body.size()) entry.text += "\n";
  }
  return entry;
}

ChangelogEntry ReadChangelogEntry(const std::filesystem::path& file, const std::string& version) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) return ChangelogEntry{};
  ChangelogEntry entry = FindChangelogEntry(ReadFile(file), version);
  entry.file_exists = true;
  return entry;
}

}  // namespace berth::host::release
