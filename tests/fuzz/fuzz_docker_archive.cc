// docker-archive tarballs (docker save output): the input is the tar file.
#include <array>

#include "berth/oci/image.h"
#include "berth/oci/tar.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path file = berth::fuzz::ScratchDir() / "archive.tar";
  berth::fuzz::WriteBytes(file, berth::fuzz::AsText(data, size));
  for (const char* name : {"", ":example.com/app:v1"}) {
    berth::fuzz::Expect([&] {
      auto source = berth::oci::OpenDockerArchiveSource(berth::oci::ImageLocation::Parse("docker-archive:" + file.string() + name));
      auto manifest = source->TopManifest();
      if (manifest.config) (void)source->SmallBlob(*manifest.config);
      for (const auto& layer : manifest.layers) {
        berth::fuzz::Expect([&] {
          auto reader = source->Blob(layer)->Open();
          std::array<char, 4096> buffer;
          while (reader->Read(buffer.data(), buffer.size()) > 0) {
          }
        });
      }
    });
  }
  return 0;
}
