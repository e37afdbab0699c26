// Reads what a builder put in an OCI image layout (image-spec
// image-layout.md): index.json's entry for a tag or digest, and blobs, each
// verified against its digest. Plain file code compiled into the plugin: the
// layouts read here are ones a build just wrote, or a base image the host
// copied in with oci.copy (berth/oci/host_registry.h).
#ifndef BERTH_PLUGINS_BUILDERS_LAYOUT_READER_H_
#define BERTH_PLUGINS_BUILDERS_LAYOUT_READER_H_

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "berth/oci/manifest.h"
#include "berth/util/digest.h"

namespace berth::builders {

class LayoutReader {
 public:
  // Error(kNotFound) when `root` has no oci-layout file.
  explicit LayoutReader(std::filesystem::path root);

  // index.json's entry named `tag` (org.opencontainers.image.ref.name), or
  // with `digest`, or its only entry when neither is given.
  oci::Descriptor Find(const std::string& tag = "", const std::optional<Digest>& digest = std::nullopt) const;
  // The manifest a descriptor names, verified and parsed.
  oci::Manifest ReadManifest(const oci::Descriptor& descriptor) const;
  // A small blob (a config) into memory, verified; refuses more than max_bytes.
  std::string ReadBlob(const oci::Descriptor& descriptor, size_t max_bytes = size_t(16) << 20) const;
  // Where the layout keeps a blob.
  std::filesystem::path BlobPath(const Digest& digest) const;

 private:
  std::filesystem::path root_;
};

}  // namespace berth::builders

#endif  // BERTH_PLUGINS_BUILDERS_LAYOUT_READER_H_
