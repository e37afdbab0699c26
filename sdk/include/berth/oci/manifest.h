// OCI and Docker v2 image manifests, indexes and descriptors, kept with their
// exact bytes: a manifest's identity is the digest of those bytes.
#ifndef BERTH_OCI_MANIFEST_H_
#define BERTH_OCI_MANIFEST_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/util/digest.h"

namespace berth::oci {

namespace media_type {
inline constexpr char kOciIndex[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kOciManifest[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kOciConfig[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char kOciLayer[] = "application/vnd.oci.image.layer.v1.tar";
inline constexpr char kOciLayerGzip[] = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr char kOciLayerZstd[] = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr char kOciEmpty[] = "application/vnd.oci.empty.v1+json";
inline constexpr char kDockerManifestList[] = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char kDockerManifest[] = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr char kDockerConfig[] = "application/vnd.docker.container.image.v1+json";
inline constexpr char kDockerLayerGzip[] = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr char kDockerSchema1[] = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr char kDockerSchema1Signed[] = "application/vnd.docker.distribution.manifest.v1+prettyjws";
}  // namespace media_type

// The Accept header for manifest requests.
std::string ManifestAcceptHeader();
bool IsIndexMediaType(std::string_view media_type);
bool IsManifestMediaType(std::string_view media_type);  // Image manifests and indexes alike.

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string os_version;

  // "linux/arm64/v8", "linux/amd64". Throws Error(kInvalidInput).
  static Platform Parse(std::string_view text);
  static Platform FromJson(const nlohmann::json& json);
  // This machine's ("linux/amd64" on x86-64).
  static Platform Host();
  std::string str() const;
  // An empty field of `wanted` matches anything; arm64 without variant matches v8.
  bool Matches(const Platform& wanted) const;
  nlohmann::json ToJson() const;
};

struct Descriptor {
  std::string media_type;
  Digest digest = Digest::Of("");
  int64_t size = 0;
  std::optional<Platform> platform;
  std::string artifact_type;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> urls;
  nlohmann::json data;  // Extra fields kept as they were.

  // Throws Error(kInvalidInput) naming `where` when a field is missing or bad.
  static Descriptor FromJson(const nlohmann::json& json, std::string_view where);
  nlohmann::json ToJson() const;
};

// A manifest or an index, parsed, with the bytes it came from.
struct Manifest {
  std::string bytes;
  std::string media_type;
  Digest digest = Digest::Of("");
  bool is_index = false;
  // Image manifest.
  std::optional<Descriptor> config;
  std::vector<Descriptor> layers;
  // Index.
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::string artifact_type;
  std::map<std::string, std::string> annotations;

  // `content_type` is the HTTP Content-Type or the descriptor's media type,
  // used when the bytes have no mediaType field. Refuses Docker schema 1 and
  // anything that is not a manifest, with Error(kInvalidInput) naming `where`.
  static Manifest Parse(std::string bytes, std::string_view content_type, std::string_view where);
  Descriptor AsDescriptor() const;
  // Blobs this manifest references directly (config first, then layers).
  std::vector<Descriptor> Blobs() const;
};

}  // namespace berth::oci

#endif  // BERTH_OCI_MANIFEST_H_
