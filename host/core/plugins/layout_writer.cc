#include "core/plugins/layout_writer.h"

#include <nlohmann/json.hpp>

#include "berth/oci/manifest.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace fs = std::filesystem;

void StartLayout(const fs::path& layout) {
  CreateDirectories(layout / "blobs" / "sha256");
  WriteFileAtomic(layout / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})", 0644);
}

oci::Descriptor PutLayoutBlob(const fs::path& layout, const std::string& media_type, const std::string& bytes) {
  oci::Descriptor descriptor;
  descriptor.media_type = media_type;
  descriptor.digest = Digest::Of(bytes);
  descriptor.size = int64_t(bytes.size());
  fs::path file = layout / "blobs" / "sha256" / descriptor.digest.hex();
  if (!fs::exists(file)) WriteFileAtomic(file, bytes, 0644);
  return descriptor;
}

void WriteLayoutTop(const fs::path& layout, const oci::Descriptor& top, const std::string& tag) {
  nlohmann::json entry = top.ToJson();
  entry["annotations"] = {{"org.opencontainers.image.ref.name", tag}};
  WriteFileAtomic(layout / "index.json",
                  nlohmann::json{{"schemaVersion", 2}, {"mediaType", oci::media_type::kOciIndex}, {"manifests", {entry}}}.dump(), 0644);
}

}  // namespace berth::host
