#include "core/plugins/plugin_version.h"

#include <optional>
#include <regex>
#include <vector>

namespace berth::host {
namespace {

struct Parsed {
  std::vector<unsigned long long> core;  // major, minor, patch
  std::vector<std::string> prerelease;   // dot-separated identifiers
};

std::optional<Parsed> Parse(const std::string& version) {
  static const std::regex kSemver(
      R"((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)");
  std::smatch match;
  if (!std::regex_match(version, match, kSemver)) return std::nullopt;
  Parsed parsed;
  for (int i = 1; i <= 3; ++i) {
    if (match[i].length() > 18) return std::nullopt;  // Beyond what fits: not a version anyone publishes.
    parsed.core.push_back(std::stoull(match[i].str()));
  }
  std::string pre = match[4].str();
  for (size_t start = 0; !pre.empty() && start <= pre.size();) {
    size_t dot = pre.find('.', start);
    parsed.prerelease.push_back(pre.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parsed;
}

bool IsNumeric(const std::string& identifier) {
  return !identifier.empty() && identifier.size() <= 18 && identifier.find_first_not_of("0123456789") == std::string::npos;
}

int Sign(long long value) { return value < 0 ? -1 : value > 0 ? 1 : 0; }

int CompareIdentifiers(const std::string& a, const std::string& b) {
  bool a_numeric = IsNumeric(a), b_numeric = IsNumeric(b);
  if (a_numeric && b_numeric) {
    unsigned long long x = std::stoull(a), y = std::stoull(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a_numeric != b_numeric) return a_numeric ? -1 : 1;  // Numeric identifiers have lower precedence.
  return Sign(a.compare(b));
}

}  // namespace

int CompareVersions(const std::string& a, const std::string& b) {
  std::optional<Parsed> x = Parse(a), y = Parse(b);
  if (!x || !y) {
    if (x.has_value() != y.has_value()) return x ? 1 : -1;
    return Sign(a.compare(b));
  }
  for (size_t i = 0; i < 3; ++i) {
    if (x->core[i] != y->core[i]) return x->core[i] < y->core[i] ? -1 : 1;
  }
  // A release is newer than any of its pre-releases.
  if (x->prerelease.empty() != y->prerelease.empty()) return x->prerelease.empty() ? 1 : -1;
  for (size_t i = 0; i < x->prerelease.size() && i < y->prerelease.size(); ++i) {
    if (int order = CompareIdentifiers(x->prerelease[i], y->prerelease[i]); order != 0) return order;
  }
  return Sign(static_cast<long long>(x->prerelease.size()) - static_cast<long long>(y->prerelease.size()));
}

bool IsPrerelease(const std::string& version) {
  std::optional<Parsed> parsed = Parse(version);
  return parsed && !parsed->prerelease.empty();
}

}  // namespace berth::host
