#include "secret_scan.h"

#include <sys/stat.h>

#include <stdexcept>

#include "berth/http/url.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"

namespace berth::testing {
namespace fs = std::filesystem;
namespace {

// The part of base64(pad + value) that depends on `value` alone: whatever
// precedes the value in an encoded string, one of the three alignments holds.
std::string AlignedCore(const std::string& value, size_t pad, bool url) {
  std::string prefix(pad, '\0');
  std::string encoded = url ? Base64UrlEncode(prefix + value) : Base64Encode(prefix + value);
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  size_t skip = pad == 0 ? 0 : 4;          // The first quantum mixes pad and value bits.
  size_t total_bits = (pad + value.size()) * 8;
  size_t full_chars = total_bits / 6;       // Trailing chars after the last full 6-bit group mix with what follows.
  if (full_chars <= skip) return "";
  return encoded.substr(skip, full_chars - skip);
}

std::string Escaped(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  return out;
}

}  // namespace

std::string Describe(const SecretFinding& finding) {
  return "secret '" + finding.secret + "' (" + finding.encoding + ") in " + finding.where + " at offset " +
         std::to_string(finding.offset);
}

void SecretScanner::Add(const std::string& name, const std::string& value) {
  if (value.size() < 12) throw std::invalid_argument("secret " + name + " is too short to scan for");
  std::vector<Needle> needles = {{value, "raw"}};
  auto add = [&](const std::string& text, const std::string& encoding) {
    if (text.size() < 12) return;
    for (const auto& needle : needles) {
      if (needle.text == text) return;
    }
    needles.push_back({text, encoding});
  };
  for (size_t pad = 0; pad < 3; ++pad) {
    add(AlignedCore(value, pad, false), "base64");
    add(AlignedCore(value, pad, true), "base64url");
  }
  add(http::UrlEncode(value), "url-encoded");
  add(Escaped(value), "escaped");
  add(http::UrlEncode(Escaped(value)), "escaped+url-encoded");
  // A multi-line value (a PEM key): any one of its long lines is a leak.
  if (value.find('\n') != std::string::npos) {
    size_t start = 0;
    int line = 0;
    while (start < value.size()) {
      size_t end = value.find('\n', start);
      if (end == std::string::npos) end = value.size();
      std::string text = value.substr(start, end - start);
      ++line;
      if (text.size() >= 24 && text.find("-----") == std::string::npos) add(text, "line " + std::to_string(line));
      start = end + 1;
    }
  }
  needles_[name] = std::move(needles);
}

std::vector<std::string> SecretScanner::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, needles] : needles_) names.push_back(name);
  return names;
}

std::vector<SecretFinding> SecretScanner::ScanText(const std::string& where, const std::string& text) const {
  std::vector<SecretFinding> findings;
  for (const auto& [name, needles] : needles_) {
    for (const auto& needle : needles) {
      size_t at = text.find(needle.text);
      if (at != std::string::npos) {
        findings.push_back({where, name, needle.encoding, at});
        break;  // One finding per secret and place is enough.
      }
    }
  }
  return findings;
}

std::string SecretScanner::Mask(std::string text) const {
  for (const auto& [name, needles] : needles_) {
    for (const auto& needle : needles) {
      for (size_t at = text.find(needle.text); at != std::string::npos; at = text.find(needle.text, at)) {
        text.replace(at, needle.text.size(), "<secret " + name + ">");
      }
    }
  }
  return text;
}

std::vector<SecretFinding> SecretScanner::ScanTree(const fs::path& root, const std::map<fs::path, std::set<std::string>>& allowed,
                                                   std::map<fs::path, std::set<std::string>>* seen) const {
  std::vector<SecretFinding> findings;
  if (!fs::exists(root)) return findings;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied);
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_symlink() || !it->is_regular_file()) continue;
    const fs::path path = it->path();
    std::string text;
    try {
      text = ReadFile(path);
    } catch (const std::exception&) {
      findings.push_back({path.string(), "-", "unreadable file", 0});
      continue;
    }
    auto permitted = allowed.find(path);
    for (SecretFinding& finding : ScanText(path.string(), text)) {
      if (permitted != allowed.end() && permitted->second.count(finding.secret)) {
        if (seen) (*seen)[path].insert(finding.secret);
        struct stat info {};
        if (lstat(path.c_str(), &info) != 0 || (info.st_mode & 0777) != 0600) {
          char mode[8];
          snprintf(mode, sizeof mode, "%04o", unsigned(info.st_mode & 0777));
          finding.encoding += ", file mode " + std::string(mode) + " instead of 0600";
          findings.push_back(finding);
        }
        continue;
      }
      findings.push_back(finding);
    }
  }
  return findings;
}

}  // namespace berth::testing
