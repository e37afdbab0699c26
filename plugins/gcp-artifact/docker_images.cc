#include "docker_images.h"

#include "berth/error.h"
#include "berth/http/url.h"
#include "berth/util/jwt.h"

namespace berth::gcp {
namespace {

std::string StringField(const nlohmann::json& item, const char* name) {
  auto it = item.find(name);
  return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

DockerImage ParseDockerImage(const nlohmann::json& item) {
  if (!item.is_object()) throw Error(ErrorCode::kFailure, "Artifact Registry: a dockerImages entry is not an object");
  DockerImage image;
  // projects/P/locations/L/repositories/R/dockerImages/<image, %2F-encoded>@sha256:...
  const std::string name = StringField(item, "name");
  const size_t marker = name.find("/dockerImages/");
  const size_t at = name.rfind('@');
  if (marker == std::string::npos || at == std::string::npos || at < marker) {
    throw Error(ErrorCode::kFailure, "Artifact Registry: unexpected dockerImage name '" + name + "'");
  }
  const std::string encoded = name.substr(marker + 14, at - marker - 14);
  auto decoded = jwt::PercentDecode(encoded);
  image.image = decoded ? *decoded : encoded;
  image.digest = name.substr(at + 1);
  image.uri = StringField(item, "uri");
  if (auto tags = item.find("tags"); tags != item.end() && tags->is_array()) {
    for (const auto& tag : *tags) {
      if (tag.is_string()) image.tags.push_back(tag.get<std::string>());
    }
  }
  // int64 fields are strings in proto3 JSON.
  if (auto size = item.find("imageSizeBytes"); size != item.end()) {
    try {
      image.size_bytes = size->is_string() ? std::stoll(size->get<std::string>()) : size->get<int64_t>();
    } catch (const std::exception&) {
      throw Error(ErrorCode::kFailure, "Artifact Registry: imageSizeBytes of '" + name + "' is not a number");
    }
  }
  image.upload_time = StringField(item, "uploadTime");
  image.update_time = StringField(item, "updateTime");
  image.build_time = StringField(item, "buildTime");
  image.media_type = StringField(item, "mediaType");
  return image;
}

ImageListing ListDockerImages(GoogleApi& api, const std::string& api_base, const ArtifactPath& repository, int page_size) {
  ImageListing listing;
  const std::string base = api_base + "/v1/" + repository.RepositoryResource() + "/dockerImages";
  std::string page_token;
  do {
    std::string url = base;
    if (page_size > 0) url = http::AddQuery(url, "pageSize", std::to_string(page_size));
    if (!page_token.empty()) url = http::AddQuery(url, "pageToken", page_token);
    nlohmann::json page = api.Call("GET", url, std::nullopt, "Artifact Registry " + repository.RepositoryResource());
    ++listing.pages;
    if (auto items = page.find("dockerImages"); items != page.end() && items->is_array()) {
      for (const auto& item : *items) listing.images.push_back(ParseDockerImage(item));
    }
    std::string next = page.value("nextPageToken", "");
    if (!next.empty() && next == page_token) throw Error(ErrorCode::kFailure, "Artifact Registry repeated a page token");
    page_token = next;
  } while (!page_token.empty());
  return listing;
}

nlohmann::json DockerImageJson(const DockerImage& image, bool include_tags) {
  nlohmann::json json = {{"image", image.image},           {"digest", image.digest},         {"uri", image.uri},
                         {"size_bytes", image.size_bytes}, {"upload_time", image.upload_time}, {"update_time", image.update_time},
                         {"build_time", image.build_time}, {"media_type", image.media_type}};
  if (include_tags) json["tags"] = image.tags;
  return json;
}

}  // namespace berth::gcp
