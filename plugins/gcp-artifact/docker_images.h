// Artifact Registry's dockerImages.list: every image of a repository with its
// tags, size and times, page after page.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_DOCKER_IMAGES_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_DOCKER_IMAGES_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "artifact_path.h"
#include "google_api.h"

namespace berth::gcp {

struct DockerImage {
  std::string image;   // "team/web" (decoded from the resource name).
  std::string digest;  // "sha256:...".
  std::string uri;
  std::vector<std::string> tags;
  int64_t size_bytes = 0;
  std::string upload_time, update_time, build_time, media_type;
};

// Throws Error(kFailure) naming the field when Google's answer is malformed.
DockerImage ParseDockerImage(const nlohmann::json& item);

struct ImageListing {
  std::vector<DockerImage> images;
  int pages = 0;
};

// GET {api_base}/v1/{repository resource}/dockerImages?pageSize=&pageToken=
// until no nextPageToken is left. page_size 0: the API's default.
ImageListing ListDockerImages(GoogleApi& api, const std::string& api_base, const ArtifactPath& repository, int page_size);

// The stable JSON of one image (docs/gcp-artifact.md); tags only when asked.
nlohmann::json DockerImageJson(const DockerImage& image, bool include_tags);

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_DOCKER_IMAGES_H_
