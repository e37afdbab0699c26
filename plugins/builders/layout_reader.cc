#include "layout_reader.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <vector>

#include "berth/error.h"

namespace berth::builders {
namespace fs = std::filesystem;
namespace {

constexpr char kRefName[] = "org.opencontainers.image.ref.name";
constexpr size_t kMaxManifestBytes = size_t(8) << 20;

// At most `max_bytes` of a file; Error(kInvalidInput) when it holds more.
std::string ReadSmallFile(const fs::path& file, size_t max_bytes, const std::string& what) {
  std::error_code error;
  auto size = fs::file_size(file, error);
  if (error) throw Error(ErrorCode::kNotFound, what + " is missing (" + file.string() + ")");
  if (size > max_bytes) throw Error(ErrorCode::kInvalidInput, what + " is " + std::to_string(size) + " bytes, too large");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) throw Error(ErrorCode::kFailure, "cannot read " + file.string());
  return bytes.str();
}

void Verify(const std::string& what, const oci::Descriptor& descriptor, std::string_view bytes) {
  Digest actual = Digest::OfLike(descriptor.digest, bytes);
  if (actual != descriptor.digest) {
    throw Error(ErrorCode::kVerification, what + ": digest mismatch: expected " + descriptor.digest.str() + ", got " + actual.str());
  }
  if (descriptor.size > 0 && uint64_t(descriptor.size) != bytes.size()) {
    throw Error(ErrorCode::kVerification, what + ": size mismatch: expected " + std::to_string(descriptor.size) + " bytes, got " +
                                              std::to_string(bytes.size()));
  }
}

}  // namespace

LayoutReader::LayoutReader(fs::path root) : root_(std::move(root)) {
  if (!fs::exists(root_ / "oci-layout")) {
    throw Error(ErrorCode::kNotFound, root_.string() + ": not an OCI image layout (no oci-layout file)");
  }
}

fs::path LayoutReader::BlobPath(const Digest& digest) const { return root_ / "blobs" / digest.algorithm() / digest.hex(); }

oci::Descriptor LayoutReader::Find(const std::string& tag, const std::optional<Digest>& digest) const {
  fs::path file = root_ / "index.json";
  nlohmann::json index = nlohmann::json::parse(ReadSmallFile(file, kMaxManifestBytes, file.string()), nullptr, false);
  if (index.is_discarded() || !index.is_object() || !index.contains("manifests") || !index["manifests"].is_array()) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": not an OCI image index");
  }
  std::vector<oci::Descriptor> candidates;
  std::string names;
  for (const auto& entry : index["manifests"]) {
    oci::Descriptor descriptor = oci::Descriptor::FromJson(entry, file.string());
    auto name = descriptor.annotations.find(kRefName);
    if (name != descriptor.annotations.end()) names += (names.empty() ? "" : ", ") + name->second;
    bool wanted = digest ? descriptor.digest == *digest
                         : tag.empty() || (name != descriptor.annotations.end() && name->second == tag);
    if (wanted) candidates.push_back(descriptor);
  }
  std::string what = root_.string();
  if (digest) {
    what.append("@").append(digest->str());
  } else if (!tag.empty()) {
    what.append(":").append(tag);
  }
  if (candidates.empty()) {
    std::string message = what + ": no such image in index.json";
    if (!names.empty()) message += " (tags: " + names + ")";
    throw Error(ErrorCode::kNotFound, message);
  }
  if (candidates.size() > 1 && !digest) {
    throw Error(ErrorCode::kInvalidInput, what + ": index.json lists " + std::to_string(candidates.size()) + " images; name one by tag");
  }
  return candidates.front();
}

oci::Manifest LayoutReader::ReadManifest(const oci::Descriptor& descriptor) const {
  std::string what = root_.string() + " manifest " + descriptor.digest.str();
  std::string bytes = ReadSmallFile(BlobPath(descriptor.digest), kMaxManifestBytes, what);
  Verify(what, descriptor, bytes);
  return oci::Manifest::Parse(std::move(bytes), descriptor.media_type, root_.string() + "@" + descriptor.digest.str());
}

std::string LayoutReader::ReadBlob(const oci::Descriptor& descriptor, size_t max_bytes) const {
  std::string what = root_.string() + " blob " + descriptor.digest.str();
  std::string bytes = ReadSmallFile(BlobPath(descriptor.digest), max_bytes, what);
  Verify(what, descriptor, bytes);
  return bytes;
}

}  // namespace berth::builders
