// OCI image layout directories (oci:DIR). The input is index.json, then each
// blob, separated by "\n====\n" lines; blobs are stored under their own
// sha256, so manifests the index names can be reached and parsed in turn.
#include <array>

#include "berth/oci/image.h"
#include "fuzz_util.h"

namespace fs = std::filesystem;

namespace {

void ReadBlob(berth::oci::ImageSource& source, const berth::oci::Descriptor& descriptor) {
  berth::fuzz::Expect([&] {
    auto reader = source.Blob(descriptor)->Open();
    std::array<char, 4096> buffer;
    while (reader->Read(buffer.data(), buffer.size()) > 0) {
    }
  });
}

void Walk(berth::oci::ImageSource& source, const berth::oci::Manifest& manifest, int depth) {
  if (manifest.config) berth::fuzz::Expect([&] { (void)source.SmallBlob(*manifest.config); });
  for (const auto& layer : manifest.layers) ReadBlob(source, layer);
  if (depth > 2) return;
  for (const auto& child : manifest.manifests) {
    berth::fuzz::Expect([&] { Walk(source, source.ChildManifest(child), depth + 1); });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path root = berth::fuzz::ScratchDir() / "layout";
  fs::remove_all(root);
  auto parts = berth::fuzz::SplitParts(berth::fuzz::AsText(data, size));
  berth::fuzz::WriteBytes(root / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  berth::fuzz::WriteBytes(root / "index.json", parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    berth::fuzz::WriteBytes(root / "blobs" / "sha256" / berth::Sha256Hex(parts[i]), parts[i]);
  }
  for (const char* form : {"oci:", "oci:TAG"}) {
    berth::fuzz::Expect([&] {
      std::string text = std::string(form) == "oci:" ? "oci:" + root.string() : "oci:" + root.string() + ":latest";
      auto source = berth::oci::OpenOciLayoutSource(berth::oci::ImageLocation::Parse(text));
      Walk(*source, source->TopManifest(), 0);
    });
  }
  return 0;
}
