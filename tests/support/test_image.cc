#include "test_image.h"

#include <nlohmann/json.hpp>

#include <random>

#include "berth/error.h"
#include "berth/oci/tar.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"

namespace berth::testing {
namespace fs = std::filesystem;

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (auto& c : bytes) c = char(random());
  return bytes;
}

TestLayout::TestLayout(fs::path root) : root_(std::move(root)) {
  CreateDirectories(root_ / "blobs" / "sha256");
  WriteFileAtomic(root_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  if (!fs::exists(root_ / "index.json")) {
    WriteFileAtomic(root_ / "index.json", nlohmann::json{{"schemaVersion", 2}, {"mediaType", oci::media_type::kOciIndex}, {"manifests", nlohmann::json::array()}}.dump());
  }
}

oci::Descriptor TestLayout::AddBlob(const std::string& bytes, const std::string& media_type) {
  oci::Descriptor descriptor;
  descriptor.media_type = media_type;
  descriptor.digest = Digest::Of(bytes);
  descriptor.size = int64_t(bytes.size());
  WriteFileAtomic(root_ / "blobs" / "sha256" / descriptor.digest.hex(), bytes);
  return descriptor;
}

oci::Descriptor TestLayout::AddLayer(size_t size, uint32_t seed, Digest* diff_id) {
  TempDir temp("berth-layer");
  fs::path tar = temp.path() / "layer.tar";
  {
    oci::TarWriter writer(tar);
    writer.AddFile("data-" + std::to_string(seed) + ".bin", RandomBytes(size, seed));
    writer.Finish();
  }
  if (diff_id != nullptr) *diff_id = Digest::OfSha256Hex(Sha256FileHex(tar));
  ProcessResult gzip = RunProcess({"gzip", "-n", "-c", tar.string()});
  if (gzip.exit_code != 0) throw Error("gzip failed: " + gzip.stderr_data);
  return AddBlob(gzip.stdout_data, oci::media_type::kOciLayerGzip);
}

oci::Descriptor TestLayout::AddImage(const std::string& platform_text, const std::vector<size_t>& layer_sizes, uint32_t seed) {
  oci::Platform platform = oci::Platform::Parse(platform_text);
  nlohmann::json layers = nlohmann::json::array();
  nlohmann::json diff_ids = nlohmann::json::array();
  for (size_t i = 0; i < layer_sizes.size(); ++i) {
    Digest diff_id = Digest::Of("");
    oci::Descriptor layer = AddLayer(layer_sizes[i], seed * 1000 + uint32_t(i), &diff_id);
    layers.push_back(layer.ToJson());
    diff_ids.push_back(diff_id.str());
  }
  nlohmann::json config = {{"architecture", platform.architecture},
                           {"os", platform.os},
                           {"created", "2024-01-01T00:00:00Z"},
                           {"config", {{"Labels", {{"org.berth.test", std::to_string(seed)}}}}},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  if (!platform.variant.empty()) config["variant"] = platform.variant;
  oci::Descriptor config_descriptor = AddBlob(config.dump(), oci::media_type::kOciConfig);
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"mediaType", oci::media_type::kOciManifest},
                             {"config", config_descriptor.ToJson()},
                             {"layers", layers}};
  oci::Descriptor descriptor = AddBlob(manifest.dump(), oci::media_type::kOciManifest);
  descriptor.platform = platform;
  return descriptor;
}

oci::Descriptor TestLayout::AddIndex(const std::vector<oci::Descriptor>& manifests) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& manifest : manifests) list.push_back(manifest.ToJson());
  nlohmann::json index = {{"schemaVersion", 2}, {"mediaType", oci::media_type::kOciIndex}, {"manifests", list}};
  return AddBlob(index.dump(), oci::media_type::kOciIndex);
}

void TestLayout::Tag(const oci::Descriptor& descriptor, const std::string& tag) {
  nlohmann::json index = nlohmann::json::parse(ReadFile(root_ / "index.json"));
  oci::Descriptor entry = descriptor;
  entry.platform.reset();
  entry.annotations["org.opencontainers.image.ref.name"] = tag;
  index["manifests"].push_back(entry.ToJson());
  WriteFileAtomic(root_ / "index.json", index.dump());
}

std::string TestLayout::ReadBlob(const Digest& digest) const { return ReadFile(root_ / "blobs" / "sha256" / digest.hex()); }

}  // namespace berth::testing
