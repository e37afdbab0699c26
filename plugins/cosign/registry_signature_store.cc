#include "registry_signature_store.h"

#include "berth/error.h"
#include "berth/oci/client.h"
#include "berth/oci/manifest.h"
#include "berth/oci/reference.h"
#include "berth/services.h"

namespace berth::cosign {
namespace {

// An in-memory blob as the client's upload source.
class StringBlobSource : public oci::BlobSource {
 public:
  explicit StringBlobSource(std::string_view data) : data_(data) {}
  std::unique_ptr<oci::BlobReader> Open() override { return std::make_unique<Reader>(data_); }

 private:
  class Reader : public oci::BlobReader {
   public:
    explicit Reader(std::string_view data) : data_(data) {}
    size_t Read(char* buffer, size_t size) override {
      size_t n = std::min(size, data_.size() - offset_);
      std::copy_n(data_.data() + offset_, n, buffer);
      offset_ += n;
      return n;
    }

   private:
    std::string_view data_;
    size_t offset_ = 0;
  };
  std::string_view data_;
};

class RegistrySignatureStore : public SignatureStore {
 public:
  RegistrySignatureStore(Services& services, std::string verb) : services_(services), verb_(std::move(verb)) {}

  ResolvedImage Resolve(const std::string& image) override {
    oci::Reference reference = oci::Reference::Parse(image);
    auto client = Client(reference.Name());
    auto found = client->HeadManifest(verb_, reference.repository, reference.Identifier());
    if (!found) throw Error(ErrorCode::kNotFound, verb_ + " " + reference.str() + ": no such image");
    if (reference.digest && found->digest != *reference.digest) {
      throw Error(ErrorCode::kVerification, verb_ + " " + reference.str() + ": the registry has digest " + found->digest.str());
    }
    Repository name{reference.registry, reference.repository};
    names_[CosignRepositoryName(reference.registry, reference.repository)] = name;
    return {CosignRepositoryName(reference.registry, reference.repository), found->digest, found->media_type, uint64_t(found->size)};
  }

  std::optional<StoredManifest> GetManifest(const std::string& repository, const std::string& tag) override {
    Repository where = Locate(repository);
    auto client = Client(where.registry + "/" + where.path);
    auto manifest = client->GetManifestIfExists(verb_, where.path, tag);
    if (!manifest) return std::nullopt;
    return StoredManifest{std::move(manifest->bytes), manifest->digest};
  }

  std::string GetBlob(const std::string& repository, const Digest& digest, uint64_t size) override {
    Repository where = Locate(repository);
    oci::Descriptor blob;
    blob.digest = digest;
    blob.size = int64_t(size);
    return Client(where.registry + "/" + where.path)->FetchSmallBlob(verb_, where.path, blob);
  }

  void PutBlob(const std::string& repository, std::string_view data) override {
    Repository where = Locate(repository);
    oci::Descriptor blob;
    blob.digest = Digest::Of(data);
    blob.size = int64_t(data.size());
    StringBlobSource source(data);
    Client(where.registry + "/" + where.path)->PushBlob(verb_, where.path, blob, source);
  }

  Digest PutManifest(const std::string& repository, const std::string& tag, std::string_view bytes,
                     std::string_view media_type) override {
    Repository where = Locate(repository);
    oci::Manifest manifest = oci::Manifest::Parse(std::string(bytes), media_type, repository + ":" + tag);
    return Client(where.registry + "/" + where.path)->PutManifest(verb_, where.path, tag, manifest);
  }

  std::vector<StoredManifest> Referrers(const std::string& repository, const Digest& subject, const std::string& artifact_type) override {
    Repository where = Locate(repository);
    auto client = Client(where.registry + "/" + where.path);
    std::vector<StoredManifest> found;
    for (const oci::Descriptor& descriptor : client->Referrers(verb_, where.path, subject, artifact_type)) {
      oci::Manifest manifest = client->GetManifest(verb_, where.path, descriptor.digest.str());
      found.push_back({std::move(manifest.bytes), manifest.digest});
    }
    return found;
  }

  Digest PutReferrer(const std::string& repository, std::string_view bytes, const Digest& subject) override {
    Repository where = Locate(repository);
    auto client = Client(where.registry + "/" + where.path);
    oci::Manifest manifest = oci::Manifest::Parse(std::string(bytes), oci::media_type::kOciManifest, repository);
    Digest digest = client->PutManifest(verb_, where.path, manifest.digest.str(), manifest);
    // A registry with the referrers API lists it now; one without reads the
    // fallback tag, which the client then keeps up to date.
    for (const oci::Descriptor& listed : client->Referrers(verb_, where.path, subject)) {
      if (listed.digest == digest) return digest;
    }
    std::string tag = subject.algorithm() + "-" + subject.hex();
    nlohmann::json index = {{"schemaVersion", 2}, {"mediaType", oci::media_type::kOciIndex}, {"manifests", nlohmann::json::array()}};
    if (auto found = client->GetManifestIfExists(verb_, where.path, tag)) {
      oci::Manifest existing = std::move(*found);
      if (!existing.is_index) throw Error(ErrorCode::kInvalidInput, repository + ":" + tag + " exists and is not a referrers index");
      index = nlohmann::json::parse(existing.bytes);
    }
    oci::Descriptor entry = manifest.AsDescriptor();
    entry.artifact_type = manifest.artifact_type;
    entry.annotations = manifest.annotations;
    index["manifests"].push_back(entry.ToJson());
    oci::Manifest updated = oci::Manifest::Parse(index.dump(), oci::media_type::kOciIndex, repository + ":" + tag);
    client->PutManifest(verb_, where.path, tag, updated);
    return digest;
  }

 private:
  struct Repository {
    std::string registry;
    std::string path;
  };

  // A repository named by Resolve, or given as COSIGN_REPOSITORY.
  Repository Locate(const std::string& repository) {
    if (auto it = names_.find(repository); it != names_.end()) return it->second;
    oci::Reference reference = oci::Reference::ParseRepository(repository);
    return names_[repository] = {reference.registry, reference.repository};
  }

  std::shared_ptr<oci::RegistryClient> Client(const std::string& reference) {
    return services_.OpenRegistryClient(reference).value();
  }

  Services& services_;
  std::string verb_;
  std::map<std::string, Repository> names_;
};

}  // namespace

std::string CosignRepositoryName(const std::string& registry, const std::string& repository) {
  return (registry == oci::kDockerHub ? "index.docker.io" : registry) + "/" + repository;
}

std::unique_ptr<SignatureStore> OpenRegistrySignatureStore(Services& services, const std::string& verb) {
  return std::make_unique<RegistrySignatureStore>(services, verb);
}

}  // namespace berth::cosign
