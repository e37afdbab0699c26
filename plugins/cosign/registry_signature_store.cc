#include "registry_signature_store.h"

#include <map>

#include "berth/error.h"
#include "berth/oci/host_registry.h"
#include "berth/oci/manifest.h"
#include "berth/oci/reference.h"

namespace berth::cosign {
namespace {

// Payloads, bundles and their configs are small; this is what the SDK's
// client allowed when the plugin drove it itself.
constexpr size_t kMaxBlobBytes = size_t(16) << 20;

class RegistrySignatureStore : public SignatureStore {
 public:
  explicit RegistrySignatureStore(std::string verb) : verb_(std::move(verb)) {}

  ResolvedImage Resolve(const std::string& image) override {
    oci::Reference reference = oci::Reference::Parse(image);
    auto found = registry_.Head(reference.str());
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
    auto manifest = registry_.GetManifestIfExists(where.Name() + ":" + tag);
    if (!manifest) return std::nullopt;
    return StoredManifest{std::move(manifest->bytes), manifest->digest};
  }

  std::string GetBlob(const std::string& repository, const Digest& digest, uint64_t size) override {
    Repository where = Locate(repository);
    // Signature payloads and bundles are small; the descriptor's size is
    // checked by the host, which refuses more than the service allows.
    return registry_.GetSmallBlob(where.Name(), digest, int64_t(size), kMaxBlobBytes);
  }

  void PutBlob(const std::string& repository, std::string_view data) override {
    Repository where = Locate(repository);
    registry_.PutBlob(where.Name(), data);
  }

  Digest PutManifest(const std::string& repository, const std::string& tag, std::string_view bytes,
                     std::string_view media_type) override {
    Repository where = Locate(repository);
    oci::Manifest manifest = oci::Manifest::Parse(std::string(bytes), media_type, repository + ":" + tag);
    return registry_.PutManifest(where.Name() + ":" + tag, manifest);
  }

  std::vector<StoredManifest> Referrers(const std::string& repository, const Digest& subject, const std::string& artifact_type) override {
    Repository where = Locate(repository);
    std::vector<StoredManifest> found;
    for (const oci::Descriptor& descriptor : registry_.Referrers(where.Name(), subject, artifact_type)) {
      oci::Manifest manifest = registry_.GetManifest(where.Name() + "@" + descriptor.digest.str());
      found.push_back({std::move(manifest.bytes), manifest.digest});
    }
    return found;
  }

  Digest PutReferrer(const std::string& repository, std::string_view bytes, const Digest& subject) override {
    Repository where = Locate(repository);
    oci::Manifest manifest = oci::Manifest::Parse(std::string(bytes), oci::media_type::kOciManifest, repository);
    Digest digest = registry_.PutManifest(where.Name() + "@" + manifest.digest.str(), manifest);
    // A registry with the referrers API lists it now; one without reads the
    // fallback tag, which the client then keeps up to date.
    for (const oci::Descriptor& listed : registry_.Referrers(where.Name(), subject)) {
      if (listed.digest == digest) return digest;
    }
    std::string tag = subject.algorithm() + "-" + subject.hex();
    nlohmann::json index = {{"schemaVersion", 2}, {"mediaType", oci::media_type::kOciIndex}, {"manifests", nlohmann::json::array()}};
    if (auto found = registry_.GetManifestIfExists(where.Name() + ":" + tag)) {
      oci::Manifest existing = std::move(*found);
      if (!existing.is_index) throw Error(ErrorCode::kInvalidInput, repository + ":" + tag + " exists and is not a referrers index");
      index = nlohmann::json::parse(existing.bytes);
    }
    oci::Descriptor entry = manifest.AsDescriptor();
    entry.artifact_type = manifest.artifact_type;
    entry.annotations = manifest.annotations;
    index["manifests"].push_back(entry.ToJson());
    oci::Manifest updated = oci::Manifest::Parse(index.dump(), oci::media_type::kOciIndex, repository + ":" + tag);
    registry_.PutManifest(where.Name() + ":" + tag, updated);
    return digest;
  }

 private:
  struct Repository {
    std::string registry;
    std::string path;
    std::string Name() const { return registry + "/" + path; }
  };

  // A repository named by Resolve, or given as COSIGN_REPOSITORY.
  Repository Locate(const std::string& repository) {
    if (auto it = names_.find(repository); it != names_.end()) return it->second;
    oci::Reference reference = oci::Reference::ParseRepository(repository);
    return names_[repository] = {reference.registry, reference.repository};
  }

  // The host's registry services: its clients, its settings, its credentials.
  oci::HostRegistry registry_;
  std::string verb_;
  std::map<std::string, Repository> names_;
};

}  // namespace

std::string CosignRepositoryName(const std::string& registry, const std::string& repository) {
  return (registry == oci::kDockerHub ? "index.docker.io" : registry) + "/" + repository;
}

std::unique_ptr<SignatureStore> OpenRegistrySignatureStore(Services&, const std::string& verb) {
  return std::make_unique<RegistrySignatureStore>(verb);
}

}  // namespace berth::cosign
