// Builds tiny OCI image layouts for tests, on the fly: gzip tar layers of
// pseudo-random bytes (deterministic per seed, `gzip -n`), a config, a
// manifest, and optionally a multi-platform index.
#ifndef BERTH_TESTS_SUPPORT_TEST_IMAGE_H_
#define BERTH_TESTS_SUPPORT_TEST_IMAGE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "berth/oci/manifest.h"

namespace berth::testing {

class TestLayout {
 public:
  explicit TestLayout(std::filesystem::path root);
  const std::filesystem::path& root() const { return root_; }

  oci::Descriptor AddBlob(const std::string& bytes, const std::string& media_type);
  // A gzip tar layer holding one file of `size` pseudo-random bytes.
  oci::Descriptor AddLayer(size_t size, uint32_t seed, Digest* diff_id = nullptr);
  // An image for `platform` with layers of these sizes; returns its manifest descriptor.
  oci::Descriptor AddImage(const std::string& platform, const std::vector<size_t>& layer_sizes, uint32_t seed);
  oci::Descriptor AddIndex(const std::vector<oci::Descriptor>& manifests);
  // Names `descriptor` `tag` in index.json.
  void Tag(const oci::Descriptor& descriptor, const std::string& tag);
  std::string ReadBlob(const Digest& digest) const;

 private:
  std::filesystem::path root_;
};

std::string RandomBytes(size_t size, uint32_t seed);

}  // namespace berth::testing

#endif  // BERTH_TESTS_SUPPORT_TEST_IMAGE_H_
