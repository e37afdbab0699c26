// Artifact Registry's naming: LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE,
// where a domain-scoped project "example.com:proj" is written
// "example.com/proj" in the path.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_ARTIFACT_PATH_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_ARTIFACT_PATH_H_

#include <optional>
#include <string>
#include <string_view>

namespace berth::gcp {

struct ArtifactPath {
  std::string host;
  std::string location;    // "us", "europe-west1".
  std::string project;     // "my-project" or "example.com:my-project".
  std::string repository;  // The Artifact Registry repository.
  std::string image;       // May hold slashes ("team/web"); empty for a repository.

  // projects/P/locations/L/repositories/R
  std::string RepositoryResource() const;
};

// "us-west1" for "us-west1-docker.pkg.dev"; nullopt for other hosts.
std::optional<std::string> LocationOfHost(std::string_view host);

// Splits host/path (a repository path as in an oci::Reference) and checks
// each part. `fallback_location` serves hosts that are not
// LOCATION-docker.pkg.dev (a test registry configured with location:).
// `want_image` false: PROJECT/REPOSITORY is enough and an image is refused.
// Throws Error(kInvalidInput) "gcp-artifact: '<text>' ...: expected ...".
ArtifactPath ParseArtifactPath(const std::string& host, const std::string& path, const std::string& fallback_location,
                               bool want_image);

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_ARTIFACT_PATH_H_
