#include "artifact_path.h"

#include <regex>
#include <vector>

#include "berth/error.h"

namespace berth::gcp {
namespace {

constexpr std::string_view kHostSuffix = "-docker.pkg.dev";

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string ArtifactPath::RepositoryResource() const {
  return "projects/" + project + "/locations/" + location + "/repositories/" + repository;
}

std::optional<std::string> LocationOfHost(std::string_view host) {
  if (host.size() <= kHostSuffix.size() || host.substr(host.size() - kHostSuffix.size()) != kHostSuffix) return std::nullopt;
  return std::string(host.substr(0, host.size() - kHostSuffix.size()));
}

ArtifactPath ParseArtifactPath(const std::string& host, const std::string& path, const std::string& fallback_location,
                               bool want_image) {
  const std::string text = host + "/" + path;
  const std::string shape = want_image ? "LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE" : "LOCATION-docker.pkg.dev/PROJECT/REPOSITORY";
  auto fail = [&](const std::string& why) {
    throw Error(ErrorCode::kInvalidInput, "gcp-artifact: '" + text + "' is not an Artifact Registry " +
                                              (want_image ? "image" : "repository") + ": " + why + " (expected " + shape + ")");
  };
  static const std::regex kLocation("[a-z][a-z0-9-]*[a-z0-9]");
  static const std::regex kProject("[a-z][a-z0-9-]{4,28}[a-z0-9]");
  static const std::regex kDomain("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");
  static const std::regex kRepository("[a-z]([a-z0-9-]{0,61}[a-z0-9])?");

  ArtifactPath parsed;
  parsed.host = host;
  if (auto location = LocationOfHost(host)) {
    parsed.location = *location;
  } else if (!fallback_location.empty()) {
    parsed.location = fallback_location;
  } else {
    fail("the host is not LOCATION-docker.pkg.dev and no location is configured for it");
  }
  if (!std::regex_match(parsed.location, kLocation)) fail("'" + parsed.location + "' is not a location");

  std::vector<std::string> parts = Split(path);
  size_t next = 0;
  if (!parts.empty() && parts[0].find('.') != std::string::npos) {
    if (!std::regex_match(parts[0], kDomain)) fail("'" + parts[0] + "' is not a domain of a domain-scoped project");
    if (parts.size() < 2) fail("the project is missing after the domain");
    parsed.project = parts[0] + ":" + parts[1];
    if (!std::regex_match(parts[1], kProject)) fail("'" + parts[1] + "' is not a project id");
    next = 2;
  } else if (!parts.empty()) {
    parsed.project = parts[0];
    if (!std::regex_match(parts[0], kProject)) {
      fail("'" + parts[0] + "' is not a project id (6 to 30 lowercase letters, digits and hyphens, starting with a letter)");
    }
    next = 1;
  }
  if (next >= parts.size()) fail("the repository is missing");
  parsed.repository = parts[next++];
  if (!std::regex_match(parsed.repository, kRepository)) {
    fail("'" + parsed.repository + "' is not a repository id (lowercase letters, digits and hyphens, starting with a letter, at most 63)");
  }
  for (size_t i = next; i < parts.size(); ++i) parsed.image += (i == next ? "" : "/") + parts[i];
  if (want_image && parsed.image.empty()) fail("the image name is missing");
  if (!want_image && !parsed.image.empty()) fail("a repository has no image part");
  return parsed;
}

}  // namespace berth::gcp
