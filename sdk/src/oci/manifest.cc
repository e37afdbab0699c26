#include "berth/oci/manifest.h"

#include "berth/error.h"

namespace berth::oci {
namespace {

[[noreturn]] void Fail(std::string_view where, const std::string& reason) {
  throw Error(ErrorCode::kInvalidInput, std::string(where) + ": " + reason);
}

std::string StringField(const nlohmann::json& json, const char* name) {
  auto it = json.find(name);
  return it != json.end() && it->is_string() ? it->get<std::string>() : "";
}

std::map<std::string, std::string> Annotations(const nlohmann::json& json) {
  std::map<std::string, std::string> result;
  auto it = json.find("annotations");
  if (it == json.end() || !it->is_object()) return result;
  for (auto& [key, value] : it->items()) {
    if (value.is_string()) result[key] = value.get<std::string>();
  }
  return result;
}

}  // namespace

std::string ManifestAcceptHeader() {
  return std::string(media_type::kOciIndex) + ", " + media_type::kOciManifest + ", " + media_type::kDockerManifestList + ", " +
         media_type::kDockerManifest;
}

bool IsIndexMediaType(std::string_view type) { return type == media_type::kOciIndex || type == media_type::kDockerManifestList; }

bool IsManifestMediaType(std::string_view type) {
  return IsIndexMediaType(type) || type == media_type::kOciManifest || type == media_type::kDockerManifest;
}

Platform Platform::Parse(std::string_view text) {
  Platform platform;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    throw Error(ErrorCode::kInvalidInput, "invalid platform '" + std::string(text) + "' (expected OS/ARCH[/VARIANT], e.g. linux/arm64)");
  }
  platform.os = parts[0];
  platform.architecture = parts[1];
  if (parts.size() == 3) platform.variant = parts[2];
  return platform;
}

Platform Platform::FromJson(const nlohmann::json& json) {
  Platform platform;
  platform.os = StringField(json, "os");
  platform.architecture = StringField(json, "architecture");
  platform.variant = StringField(json, "variant");
  platform.os_version = StringField(json, "os.version");
  return platform;
}

Platform Platform::Host() {
#if defined(__x86_64__)
  return {"linux", "amd64", "", ""};
#elif defined(__aarch64__)
  return {"linux", "arm64", "v8", ""};
#else
  return {"linux", "unknown", "", ""};
#endif
}

std::string Platform::str() const {
  std::string text = os + "/" + architecture;
  if (!variant.empty()) text += "/" + variant;
  return text;
}

bool Platform::Matches(const Platform& wanted) const {
  auto variant_of = [](const Platform& p) {
    if (p.architecture == "arm64" && p.variant.empty()) return std::string("v8");
    return p.variant;
  };
  if (!wanted.os.empty() && wanted.os != os) return false;
  if (!wanted.architecture.empty() && wanted.architecture != architecture) return false;
  if (!wanted.variant.empty() && variant_of(wanted) != variant_of(*this)) return false;
  return true;
}

nlohmann::json Platform::ToJson() const {
  nlohmann::json json = {{"architecture", architecture}, {"os", os}};
  if (!variant.empty()) json["variant"] = variant;
  if (!os_version.empty()) json["os.version"] = os_version;
  return json;
}

Descriptor Descriptor::FromJson(const nlohmann::json& json, std::string_view where) {
  if (!json.is_object()) Fail(where, "descriptor is not an object");
  Descriptor descriptor;
  descriptor.data = json;
  descriptor.media_type = StringField(json, "mediaType");
  std::string digest = StringField(json, "digest");
  if (!Digest::IsValid(digest)) Fail(where, "descriptor has no valid digest ('" + digest + "')");
  descriptor.digest = Digest::Parse(digest);
  auto size = json.find("size");
  if (size == json.end() || !size->is_number_integer() || size->get<int64_t>() < 0) {
    Fail(where, "descriptor " + digest + " has no valid size");
  }
  descriptor.size = size->get<int64_t>();
  if (auto platform = json.find("platform"); platform != json.end() && platform->is_object()) {
    descriptor.platform = Platform::FromJson(*platform);
  }
  descriptor.artifact_type = StringField(json, "artifactType");
  descriptor.annotations = Annotations(json);
  if (auto urls = json.find("urls"); urls != json.end() && urls->is_array()) {
    for (const auto& url : *urls) {
      if (url.is_string()) descriptor.urls.push_back(url.get<std::string>());
    }
  }
  return descriptor;
}

nlohmann::json Descriptor::ToJson() const {
  nlohmann::json json = data.is_object() ? data : nlohmann::json::object();
  json["mediaType"] = media_type;
  json["digest"] = digest.str();
  json["size"] = size;
  if (platform) json["platform"] = platform->ToJson();
  if (!artifact_type.empty()) json["artifactType"] = artifact_type;
  if (!annotations.empty()) json["annotations"] = annotations;
  return json;
}

Manifest Manifest::Parse(std::string bytes, std::string_view content_type, std::string_view where) {
  Manifest manifest;
  manifest.digest = Digest::Of(bytes);
  nlohmann::json json = nlohmann::json::parse(bytes, nullptr, false);
  if (json.is_discarded() || !json.is_object()) Fail(where, "manifest is not a JSON object");
  std::string type = StringField(json, "mediaType");
  std::string hint(content_type.substr(0, content_type.find(';')));
  while (!hint.empty() && hint.back() == ' ') hint.pop_back();
  if (type.empty()) type = hint;
  if (type == media_type::kDockerSchema1 || type == media_type::kDockerSchema1Signed ||
      (json.contains("schemaVersion") && json["schemaVersion"] == 1)) {
    Fail(where, "Docker schema 1 manifests are obsolete and not supported (re-push the image with a current client)");
  }
  if (type.empty()) {
    // OCI allows omitting mediaType: tell an index from a manifest by shape.
    type = json.contains("manifests") ? media_type::kOciIndex : media_type::kOciManifest;
  }
  if (!IsManifestMediaType(type)) Fail(where, "unsupported manifest media type '" + type + "'");
  manifest.media_type = type;
  manifest.is_index = IsIndexMediaType(type);
  manifest.artifact_type = StringField(json, "artifactType");
  manifest.annotations = Annotations(json);
  if (manifest.is_index) {
    auto list = json.find("manifests");
    if (list == json.end() || !list->is_array()) Fail(where, "index has no manifests array");
    for (const auto& entry : *list) manifest.manifests.push_back(Descriptor::FromJson(entry, where));
  } else {
    auto config = json.find("config");
    if (config == json.end()) Fail(where, "manifest has no config");
    manifest.config = Descriptor::FromJson(*config, where);
    if (auto layers = json.find("layers"); layers != json.end()) {
      if (!layers->is_array()) Fail(where, "manifest layers is not an array");
      for (const auto& entry : *layers) manifest.layers.push_back(Descriptor::FromJson(entry, where));
    }
  }
  if (auto subject = json.find("subject"); subject != json.end() && subject->is_object()) {
    manifest.subject = Descriptor::FromJson(*subject, where);
  }
  manifest.bytes = std::move(bytes);
  return manifest;
}

Descriptor Manifest::AsDescriptor() const {
  Descriptor descriptor;
  descriptor.media_type = media_type;
  descriptor.digest = digest;
  descriptor.size = int64_t(bytes.size());
  descriptor.artifact_type = artifact_type;
  return descriptor;
}

std::vector<Descriptor> Manifest::Blobs() const {
  std::vector<Descriptor> blobs;
  if (config) blobs.push_back(*config);
  blobs.insert(blobs.end(), layers.begin(), layers.end());
  return blobs;
}

}  // namespace berth::oci
