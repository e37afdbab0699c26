// Manifests and indexes as registries and layouts serve them. The first byte
// picks the Content-Type the server claimed, the rest is the body.
#include "berth/oci/manifest.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const kTypes[] = {"", berth::oci::media_type::kOciManifest, berth::oci::media_type::kOciIndex,
                                       berth::oci::media_type::kDockerManifest, berth::oci::media_type::kDockerManifestList,
                                       berth::oci::media_type::kDockerSchema1Signed, "application/json"};
  if (size == 0) return 0;
  const char* type = kTypes[data[0] % (sizeof(kTypes) / sizeof(kTypes[0]))];
  std::string body(berth::fuzz::AsText(data + 1, size - 1));
  berth::fuzz::Expect([&] {
    auto manifest = berth::oci::Manifest::Parse(body, type, "fuzz");
    (void)manifest.AsDescriptor().ToJson().dump();
    for (const auto& blob : manifest.Blobs()) (void)blob.ToJson().dump();
    for (const auto& child : manifest.manifests) {
      if (child.platform) (void)child.platform->str();
    }
  });
  berth::fuzz::Expect([&] { (void)berth::oci::Platform::Parse(body).str(); });
  return 0;
}
