// OCI image layout directories (image-spec image-layout.md): blobs/<alg>/<hex>,
// index.json naming images by org.opencontainers.image.ref.name, oci-layout.
// A blob becomes visible only after its digest matched: it is written to a
// temporary file beside its final name and renamed.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "berth/error.h"
#include "berth/oci/image.h"
#include "berth/util/fs.h"
#include "blob_file.h"

namespace berth::oci {
namespace fs = std::filesystem;
namespace {

constexpr char kRefName[] = "org.opencontainers.image.ref.name";

fs::path BlobPath(const fs::path& root, const Digest& digest) { return root / "blobs" / digest.algorithm() / digest.hex(); }

nlohmann::json LoadIndex(const fs::path& root) {
  fs::path file = root / "index.json";
  nlohmann::json index = nlohmann::json::parse(ReadFile(file), nullptr, false);
  if (index.is_discarded() || !index.is_object() || !index.contains("manifests") || !index["manifests"].is_array()) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": not an OCI image index");
  }
  return index;
}

class OciLayoutSource : public ImageSource {
 public:
  explicit OciLayoutSource(ImageLocation location) : location_(std::move(location)), root_(location_.path) {
    if (!fs::exists(root_ / "oci-layout")) {
      throw Error(ErrorCode::kNotFound, location_.str() + ": not an OCI image layout (no oci-layout file in " + root_.string() + ")");
    }
  }
  std::string Describe() const override { return location_.str(); }

  Manifest TopManifest() override {
    nlohmann::json index = LoadIndex(root_);
    std::vector<Descriptor> candidates;
    std::vector<std::string> names;
    for (const auto& entry : index["manifests"]) {
      Descriptor descriptor = Descriptor::FromJson(entry, (root_ / "index.json").string());
      std::string name = descriptor.annotations.count(kRefName) ? descriptor.annotations.at(kRefName) : "";
      if (!name.empty()) names.push_back(name);
      if (location_.digest ? descriptor.digest == *location_.digest : location_.tag.empty() || name == location_.tag) {
        candidates.push_back(descriptor);
      }
    }
    if (candidates.empty() && location_.digest && fs::exists(BlobPath(root_, *location_.digest))) {
      // A manifest by digest need not be listed in index.json.
      Descriptor descriptor;
      descriptor.digest = *location_.digest;
      descriptor.size = int64_t(fs::file_size(BlobPath(root_, *location_.digest)));
      candidates.push_back(descriptor);
    }
    if (candidates.empty()) {
      std::string known;
      for (const auto& name : names) known += (known.empty() ? "" : ", ") + name;
      throw Error(ErrorCode::kNotFound, location_.str() + ": no such image in index.json" + (known.empty() ? "" : " (tags: " + known + ")"));
    }
    if (candidates.size() > 1 && !location_.digest) {
      throw Error(ErrorCode::kInvalidInput, location_.str() + ": index.json lists " + std::to_string(candidates.size()) +
                                                " images; name one with oci:DIR:TAG");
    }
    return ChildManifest(candidates.front());
  }

  Manifest ChildManifest(const Descriptor& descriptor) override {
    fs::path file = BlobPath(root_, descriptor.digest);
    if (!fs::exists(file)) throw Error(ErrorCode::kNotFound, location_.str() + ": manifest " + descriptor.digest.str() + " is missing from blobs/");
    if (fs::file_size(file) > (8u << 20)) throw Error(ErrorCode::kInvalidInput, location_.str() + ": manifest " + descriptor.digest.str() + " is too large");
    std::string bytes = ReadFile(file);
    CheckDigest(location_.str() + " manifest " + descriptor.digest.str(), descriptor.digest, Sha256Hex(bytes),
                descriptor.size > 0 ? uint64_t(descriptor.size) : bytes.size(), bytes.size());
    return Manifest::Parse(std::move(bytes), descriptor.media_type, location_.str() + "@" + descriptor.digest.str());
  }

  std::unique_ptr<BlobSource> Blob(const Descriptor& descriptor) override {
    fs::path file = BlobPath(root_, descriptor.digest);
    if (!fs::exists(file)) throw Error(ErrorCode::kNotFound, location_.str() + ": blob " + descriptor.digest.str() + " is missing from blobs/");
    return std::make_unique<FileBlobSource>(file, 0, uint64_t(descriptor.size), descriptor.digest,
                                            location_.str() + " blob " + descriptor.digest.str());
  }

  std::string SmallBlob(const Descriptor& descriptor) override {
    fs::path file = BlobPath(root_, descriptor.digest);
    if (!fs::exists(file)) throw Error(ErrorCode::kNotFound, location_.str() + ": blob " + descriptor.digest.str() + " is missing from blobs/");
    std::string bytes = ReadFile(file);
    CheckDigest(location_.str() + " blob " + descriptor.digest.str(), descriptor.digest, Sha256Hex(bytes), uint64_t(descriptor.size),
                bytes.size());
    return bytes;
  }

 private:
  ImageLocation location_;
  fs::path root_;
};

// Serialises index.json updates between processes (two pulls or builds into
// one layout): an exclusive flock on a lock file in the layout, held for the
// read-modify-write. Blobs need none: each is a temporary file renamed into place.
class IndexLock {
 public:
  explicit IndexLock(const fs::path& root) {
    fs::path file = root / ".index.json.lock";
    fd_ = open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(ErrorCode::kFailure, "cannot open " + file.string() + ": " + std::strerror(errno));
    while (flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int error = errno;
      close(fd_);
      throw Error(ErrorCode::kFailure, "cannot lock " + file.string() + ": " + std::strerror(error));
    }
  }
  ~IndexLock() { close(fd_); }  // Releases the lock.
  IndexLock(const IndexLock&) = delete;
  IndexLock& operator=(const IndexLock&) = delete;

 private:
  int fd_ = -1;
};

class OciLayoutSink : public ImageSink {
 public:
  OciLayoutSink(ImageLocation location, std::string verb) : location_(std::move(location)), root_(location_.path), verb_(std::move(verb)) {
    if (location_.digest) throw Error(ErrorCode::kInvalidInput, location_.str() + ": a destination takes oci:DIR[:TAG], not a digest");
    if (fs::exists(root_) && !fs::is_directory(root_)) throw Error(ErrorCode::kInvalidInput, location_.str() + ": " + root_.string() + " is not a directory");
    CreateDirectories(root_ / "blobs" / "sha256");
    if (!fs::exists(root_ / "oci-layout")) WriteFileAtomic(root_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }
  std::string Describe() const override { return location_.str(); }

  BlobOutcome PutBlob(const Descriptor& blob, ImageSource& source, bool) override {
    fs::path target = BlobPath(root_, blob.digest);
    std::error_code ignored;
    if (fs::exists(target) && fs::file_size(target, ignored) == uint64_t(blob.size)) return BlobOutcome::kExisted;
    CreateDirectories(target.parent_path());
    BlobFile file(target, uint64_t(blob.size));
    // Always through source.Blob(): a fan-out or progress wrapper sees the bytes.
    auto reader = source.Blob(blob)->Open();
    // The reader returns 0 only once the bytes matched the digest.
    while (true) {
      std::span<char> space = file.Space();
      size_t n = reader->Read(space.data(), space.size());
      if (n == 0) break;
      file.Commit(n);
    }
    file.Publish();
    return BlobOutcome::kUploaded;
  }

  void PutChildManifest(const Manifest& manifest) override { WriteManifestBlob(manifest); }

  Digest Commit(const Manifest& top) override {
    WriteManifestBlob(top);
    std::lock_guard<std::mutex> lock(mutex_);
    IndexLock file_lock(root_);
    nlohmann::json index = fs::exists(root_ / "index.json")
                               ? LoadIndex(root_)
                               : nlohmann::json{{"schemaVersion", 2}, {"mediaType", media_type::kOciIndex}, {"manifests", nlohmann::json::array()}};
    nlohmann::json kept = nlohmann::json::array();
    for (const auto& entry : index["manifests"]) {
      std::string name = entry.contains("annotations") && entry["annotations"].contains(kRefName) ? entry["annotations"][kRefName].get<std::string>() : "";
      bool replaced = location_.tag.empty() ? (name.empty() && entry.value("digest", "") == top.digest.str()) : name == location_.tag;
      if (!replaced) kept.push_back(entry);
    }
    Descriptor descriptor = top.AsDescriptor();
    if (!location_.tag.empty()) descriptor.annotations[kRefName] = location_.tag;
    kept.push_back(descriptor.ToJson());
    index["manifests"] = kept;
    WriteFileAtomic(root_ / "index.json", index.dump() + "\n");
    return top.digest;
  }

 private:
  void WriteManifestBlob(const Manifest& manifest) {
    fs::path target = BlobPath(root_, manifest.digest);
    if (fs::exists(target)) return;
    CheckDigest("manifest " + manifest.digest.str(), manifest.digest, Sha256Hex(manifest.bytes), manifest.bytes.size(), manifest.bytes.size());
    WriteFileAtomic(target, manifest.bytes);
  }

  ImageLocation location_;
  fs::path root_;
  std::string verb_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<ImageSource> OpenOciLayoutSource(const ImageLocation& location) { return std::make_unique<OciLayoutSource>(location); }
std::unique_ptr<ImageSink> OpenOciLayoutSink(const ImageLocation& location, std::string verb) {
  return std::make_unique<OciLayoutSink>(location, std::move(verb));
}

}  // namespace berth::oci
