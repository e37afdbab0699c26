#include "dockerignore.h"

#include <sstream>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::builders {
namespace fs = std::filesystem;
namespace {

std::string Trim(const std::string& text) {
  const char* space = " \t\r\n\v\f";
  size_t begin = text.find_first_not_of(space);
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(space) - begin + 1);
}

// Go's filepath.Clean, then the leading `/` dropped: Docker's patterns are
// relative to the context whether written `/a` or `a`.
std::string Clean(const std::string& pattern) {
  std::vector<std::string> parts;
  std::stringstream stream(pattern);
  std::string part;
  const bool rooted = !pattern.empty() && pattern.front() == '/';
  while (std::getline(stream, part, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else if (part == ".." && rooted) {
      continue;
    } else {
      parts.push_back(part);
    }
  }
  std::string cleaned;
  for (const auto& item : parts) cleaned += (cleaned.empty() ? "" : "/") + item;
  return cleaned.empty() ? "." : cleaned;
}

// moby/patternmatcher's translation of a pattern into a regular expression.
std::string ToRegex(const std::string& pattern) {
  std::string regex = "^";
  for (size_t i = 0; i < pattern.size(); ++i) {
    char ch = pattern[i];
    if (ch == '*') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
        ++i;
        if (i + 1 < pattern.size() && pattern[i + 1] == '/') ++i;  // `**/` is `**`.
        // A trailing `**` matches everything below; elsewhere any number
        // of whole directories, none included.
        regex += i + 1 == pattern.size() ? ".*" : "(.*/)?";
      } else {
        regex += "[^/]*";
      }
    } else if (ch == '?') {
      regex += "[^/]";
    } else if (ch == '\\') {
      if (i + 1 < pattern.size()) {
        regex += '\\';
        regex += pattern[++i];
      } else {
        regex += "\\\\";
      }
    } else if (ch == '[') {
      regex += '[';
      // filepath.Match negates a class with `^` or `!`.
      if (i + 1 < pattern.size() && pattern[i + 1] == '!') {
        regex += '^';
        ++i;
      }
    } else if (ch == ']') {
      regex += ']';
    } else if (std::string(".+()|{}$^").find(ch) != std::string::npos) {
      regex += '\\';
      regex += ch;
    } else {
      regex += ch;
    }
  }
  return regex + "$";
}

}  // namespace

DockerIgnore DockerIgnore::Parse(const std::string& text, const std::string& source) {
  DockerIgnore ignore;
  std::stringstream stream(text);
  std::string line;
  for (int number = 1; std::getline(stream, line); ++number) {
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // A UTF-8 BOM.
    if (!line.empty() && line.front() == '#') continue;
    std::string pattern = Trim(line);
    if (pattern.empty()) continue;
    Pattern compiled;
    if (pattern.front() == '!') {
      compiled.exception = true;
      pattern = Trim(pattern.substr(1));
      if (pattern.empty()) continue;
    }
    compiled.text = Clean(pattern);
    try {
      compiled.regex = std::regex(ToRegex(compiled.text), std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      throw Error(ErrorCode::kInvalidInput, source + " line " + std::to_string(number) + ": bad pattern '" + pattern + "'");
    }
    ignore.has_exceptions_ = ignore.has_exceptions_ || compiled.exception;
    ignore.patterns_.push_back(std::move(compiled));
  }
  return ignore;
}

DockerIgnore DockerIgnore::Load(const fs::path& context) {
  fs::path file = context / ".dockerignore";
  std::error_code error;
  if (!fs::is_regular_file(file, error)) return DockerIgnore();
  return Parse(ReadFile(file), file.string());
}

bool DockerIgnore::Matches(const Pattern& pattern, const std::string& relative) const {
  if (std::regex_match(relative, pattern.regex)) return true;
  // A pattern naming a directory excludes everything in it.
  for (size_t slash = relative.find('/'); slash != std::string::npos; slash = relative.find('/', slash + 1)) {
    if (std::regex_match(relative.substr(0, slash), pattern.regex)) return true;
  }
  return false;
}

bool DockerIgnore::Excludes(const std::string& relative) const {
  bool excluded = false;
  for (const auto& pattern : patterns_) {
    // Only a pattern that could change the answer is worth matching.
    if (pattern.exception != excluded) continue;
    if (Matches(pattern, relative)) excluded = !pattern.exception;
  }
  return excluded;
}

}  // namespace berth::builders
