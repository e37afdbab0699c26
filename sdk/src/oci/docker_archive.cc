// docker-archive tarballs, what `docker save` writes and `docker load` reads:
// manifest.json ([{Config, RepoTags, Layers}]) naming a config file and layer
// files inside the tar. Read in place (members are byte ranges of the file);
// written as a stream. Layers keep their bytes: gzip layers stay gzip (docker
// load and containers/image both accept that), so digests survive a round trip.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>

#include "berth/error.h"
#include "berth/oci/image.h"
#include "berth/oci/tar.h"
#include "berth/util/fs.h"

namespace berth::oci {
namespace fs = std::filesystem;
namespace {

std::string ReadRange(const fs::path& path, const TarMember& member, size_t limit) {
  if (member.size > limit) throw Error(ErrorCode::kInvalidInput, path.string() + ": member too large");
  std::string data(member.size, '\0');
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::kInvalidInput, "cannot read " + path.string() + ": " + std::strerror(errno));
  ssize_t n = pread(fd, data.data(), data.size(), off_t(member.offset));
  close(fd);
  if (n != ssize_t(data.size())) throw Error(ErrorCode::kInvalidInput, path.string() + ": truncated tar member");
  return data;
}

// Hashes a member and sniffs its compression from the first bytes.
std::pair<Digest, std::string> HashMember(const fs::path& path, const TarMember& member) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::kInvalidInput, "cannot read " + path.string() + ": " + std::strerror(errno));
  posix_fadvise(fd, off_t(member.offset), off_t(member.size), POSIX_FADV_SEQUENTIAL);
  AsyncSha256 hash;
  std::vector<char> buffer(1 << 20);
  uint64_t done = 0;
  std::string head;
  while (done < member.size) {
    ssize_t n = pread(fd, buffer.data(), size_t(std::min<uint64_t>(buffer.size(), member.size - done)), off_t(member.offset + done));
    if (n <= 0) {
      close(fd);
      throw Error(ErrorCode::kInvalidInput, path.string() + ": truncated tar member");
    }
    if (head.size() < 4) head.append(buffer.data(), std::min<size_t>(size_t(n), 4 - head.size()));
    hash.Update(buffer.data(), size_t(n));
    done += uint64_t(n);
  }
  close(fd);
  std::string type = media_type::kOciLayer;
  if (head.size() >= 2 && uint8_t(head[0]) == 0x1f && uint8_t(head[1]) == 0x8b) type = media_type::kOciLayerGzip;
  if (head.size() >= 4 && uint8_t(head[0]) == 0x28 && uint8_t(head[1]) == 0xb5 && uint8_t(head[2]) == 0x2f && uint8_t(head[3]) == 0xfd) {
    type = media_type::kOciLayerZstd;
  }
  return {Digest::OfSha256Hex(hash.FinishHex()), type};
}

class DockerArchiveSource : public ImageSource {
 public:
  explicit DockerArchiveSource(ImageLocation location) : location_(std::move(location)), path_(location_.path) {
    if (!fs::exists(path_)) throw Error(ErrorCode::kNotFound, location_.str() + ": no such file");
    members_ = IndexTar(path_);
  }
  std::string Describe() const override { return location_.str(); }

  Manifest TopManifest() override {
    auto manifest_member = Member("manifest.json");
    nlohmann::json list = nlohmann::json::parse(ReadRange(path_, manifest_member, 8u << 20), nullptr, false);
    if (list.is_discarded() || !list.is_array() || list.empty()) throw Error(ErrorCode::kInvalidInput, location_.str() + ": manifest.json is not a list of images");
    const nlohmann::json* chosen = nullptr;
    if (location_.reference.repository.empty()) {
      if (list.size() > 1) throw Error(ErrorCode::kInvalidInput, location_.str() + ": holds " + std::to_string(list.size()) + " images; name one with docker-archive:FILE:NAME:TAG");
      chosen = &list[0];
    } else {
      for (const auto& entry : list) {
        if (!entry.is_object() || !entry.contains("RepoTags") || !entry["RepoTags"].is_array()) continue;
        for (const auto& tag : entry["RepoTags"]) {
          if (tag.is_string() && Reference::Parse(tag.get<std::string>()).str() == location_.reference.str()) chosen = &entry;
        }
      }
      if (chosen == nullptr) throw Error(ErrorCode::kNotFound, location_.str() + ": no image tagged " + location_.reference.str());
    }
    // contains() first: a const json's operator[] on a missing key reads past the map (found by fuzz_docker_archive).
    if (!chosen->is_object() || !chosen->contains("Config") || !chosen->contains("Layers") || !(*chosen)["Config"].is_string() ||
        !(*chosen)["Layers"].is_array()) throw Error(ErrorCode::kInvalidInput, location_.str() + ": manifest.json entry lacks Config or Layers");
    std::string config_path = NormalizeTarPath((*chosen)["Config"].get<std::string>());
    std::string config = ReadRange(path_, Member(config_path), 16u << 20);
    Descriptor config_descriptor;
    config_descriptor.media_type = media_type::kOciConfig;
    config_descriptor.digest = Digest::Of(config);
    config_descriptor.size = int64_t(config.size());
    paths_[config_descriptor.digest.str()] = config_path;
    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", media_type::kOciManifest},
                               {"config", config_descriptor.ToJson()},
                               {"layers", nlohmann::json::array()}};
    for (const auto& layer : (*chosen)["Layers"]) {
      if (!layer.is_string()) throw Error(ErrorCode::kInvalidInput, location_.str() + ": manifest.json Layers holds a non-string");
      std::string layer_path = NormalizeTarPath(layer.get<std::string>());
      TarMember member = Member(layer_path);
      auto [digest, type] = HashMember(path_, member);
      paths_[digest.str()] = layer_path;
      manifest["layers"].push_back({{"mediaType", type}, {"digest", digest.str()}, {"size", member.size}});
    }
    return Manifest::Parse(manifest.dump(), media_type::kOciManifest, location_.str());
  }

  Manifest ChildManifest(const Descriptor& descriptor) override {
    throw Error(ErrorCode::kInvalidInput, location_.str() + ": a docker-archive holds no index (asked for " + descriptor.digest.str() + ")");
  }

  std::unique_ptr<BlobSource> Blob(const Descriptor& descriptor) override {
    TarMember member = MemberFor(descriptor);
    return std::make_unique<FileBlobSource>(path_, member.offset, member.size, descriptor.digest,
                                            location_.str() + " blob " + descriptor.digest.str());
  }

  std::string SmallBlob(const Descriptor& descriptor) override {
    std::string data = ReadRange(path_, MemberFor(descriptor), 16u << 20);
    CheckDigest(location_.str() + " blob " + descriptor.digest.str(), descriptor.digest, Sha256Hex(data), uint64_t(descriptor.size), data.size());
    return data;
  }

 private:
  TarMember Member(const std::string& name) const {
    auto it = members_.find(NormalizeTarPath(name));
    if (it == members_.end()) throw Error(ErrorCode::kInvalidInput, location_.str() + ": no " + name + " in the archive");
    return it->second;
  }
  TarMember MemberFor(const Descriptor& descriptor) const {
    auto it = paths_.find(descriptor.digest.str());
    if (it == paths_.end()) throw Error(ErrorCode::kNotFound, location_.str() + ": no blob " + descriptor.digest.str());
    return Member(it->second);
  }

  ImageLocation location_;
  fs::path path_;
  std::map<std::string, TarMember> members_;
  std::map<std::string, std::string> paths_;  // Digest -> member path.
};

class DockerArchiveSink : public ImageSink {
 public:
  DockerArchiveSink(ImageLocation location, std::string verb) : location_(std::move(location)), path_(location_.path), verb_(std::move(verb)) {
    fs::path directory = path_.parent_path().empty() ? fs::path(".") : path_.parent_path();
    if (!fs::is_directory(directory)) throw Error(ErrorCode::kInvalidInput, location_.str() + ": no directory " + directory.string());
    // A unique name: two berth processes writing one archive must not write one temporary file.
    std::string pattern = (directory / ("." + path_.filename().string() + ".berth-tmp-XXXXXX")).string();
    {
      InterruptWindow window;
      int fd = mkostemp(pattern.data(), O_CLOEXEC);
      if (fd < 0) {
        throw Error(ErrorCode::kFailure, location_.str() + ": cannot create a file in " + directory.string() + ": " + std::strerror(errno));
      }
      fchmod(fd, 0644);
      close(fd);
      temp_ = pattern;
      remove_on_interrupt_.emplace(temp_);
    }
    try {
      writer_ = std::make_unique<TarWriter>(temp_);
    } catch (...) {
      unlink(temp_.c_str());
      throw;
    }
  }
  ~DockerArchiveSink() override {
    writer_.reset();
    if (!committed_) unlink(temp_.c_str());
  }
  std::string Describe() const override { return location_.str(); }
  bool AcceptsIndex() const override { return false; }

  BlobOutcome PutBlob(const Descriptor& blob, ImageSource& source, bool is_config) override {
    // One member at a time: a tar is written front to back.
    std::lock_guard<std::mutex> lock(mutex_);
    if (!written_.insert(blob.digest.str()).second) return BlobOutcome::kExisted;
    if (broken_) throw Error(ErrorCode::kFailure, location_.str() + ": an earlier blob failed");
    broken_ = true;  // Until this member is complete.
    writer_->BeginFile(blob.digest.hex() + (is_config ? ".json" : ".tar"), uint64_t(blob.size));
    // Always through source.Blob(): a fan-out or progress wrapper sees the bytes.
    auto reader = source.Blob(blob)->Open();
    std::vector<char> buffer(1 << 20);
    while (size_t n = reader->Read(buffer.data(), buffer.size())) writer_->Write(buffer.data(), n);
    writer_->EndFile();
    broken_ = false;
    return BlobOutcome::kUploaded;
  }

  void PutChildManifest(const Manifest&) override {}

  Digest Commit(const Manifest& top) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (top.is_index || !top.config) throw Error(ErrorCode::kInvalidInput, location_.str() + ": a docker-archive holds one image, not an index");
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& layer : top.layers) layers.push_back(layer.digest.hex() + ".tar");
    nlohmann::json tags = nlohmann::json::array();
    if (!location_.reference.repository.empty()) {
      const Reference& ref = location_.reference;
      std::string name = ref.registry == kDockerHub && ref.repository.starts_with("library/") ? ref.repository.substr(8) : ref.Name();
      if (ref.registry == kDockerHub && !ref.repository.starts_with("library/")) name = ref.repository;
      tags.push_back(name + ":" + (ref.tag.empty() ? "latest" : ref.tag));
    }
    nlohmann::json manifest = nlohmann::json::array({{{"Config", top.config->digest.hex() + ".json"}, {"RepoTags", tags}, {"Layers", layers}}});
    writer_->AddFile("manifest.json", manifest.dump());
    writer_->Finish();
    writer_.reset();
    if (rename(temp_.c_str(), path_.c_str()) != 0) throw Error(ErrorCode::kFailure, "cannot write " + path_.string() + ": " + std::strerror(errno));
    committed_ = true;
    return top.digest;
  }

 private:
  ImageLocation location_;
  fs::path path_, temp_;
  std::optional<RemoveOnInterrupt> remove_on_interrupt_;
  std::string verb_;
  std::unique_ptr<TarWriter> writer_;
  std::mutex mutex_;
  std::set<std::string> written_;
  bool broken_ = false;
  bool committed_ = false;
};

}  // namespace

std::unique_ptr<ImageSource> OpenDockerArchiveSource(const ImageLocation& location) {
  return std::make_unique<DockerArchiveSource>(location);
}
std::unique_ptr<ImageSink> OpenDockerArchiveSink(const ImageLocation& location, std::string verb) {
  return std::make_unique<DockerArchiveSink>(location, std::move(verb));
}

}  // namespace berth::oci
