// What signing and verifying need from a registry, and nothing more: the
// image's digest, and reading and writing the signature manifest and its
// blobs. The cosign signer implements it over the SDK's OCI client; keeping
// it this small keeps the signing logic independent of transport.
#ifndef BERTH_PLUGINS_COSIGN_SIGNATURE_STORE_H_
#define BERTH_PLUGINS_COSIGN_SIGNATURE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/util/digest.h"

namespace berth::cosign {

struct ResolvedImage {
  std::string repository;  // "registry/path", as the payload's docker-reference names it.
  Digest digest;
  std::string media_type;  // Of the image's manifest (a referrer's subject needs it).
  uint64_t size = 0;
};

struct StoredManifest {
  std::string bytes;
  Digest digest;
};

class SignatureStore {
 public:
  virtual ~SignatureStore() = default;
  // Throws berth::Error (kNotFound when the image does not exist).
  virtual ResolvedImage Resolve(const std::string& image) = 0;
  // nullopt when the tag does not exist.
  virtual std::optional<StoredManifest> GetManifest(const std::string& repository, const std::string& tag) = 0;
  // The blob's bytes. A store may check them against the digest itself
  // (Error kVerification); the caller checks them again either way.
  virtual std::string GetBlob(const std::string& repository, const Digest& digest, uint64_t size) = 0;
  virtual void PutBlob(const std::string& repository, std::string_view data) = 0;
  // Returns the manifest's digest.
  virtual Digest PutManifest(const std::string& repository, const std::string& tag, std::string_view bytes,
                             std::string_view media_type) = 0;
  // The manifests (fetched) whose subject is `subject`, of this artifact type.
  virtual std::vector<StoredManifest> Referrers(const std::string& repository, const Digest& subject,
                                                const std::string& artifact_type) = 0;
  // Stores an OCI image manifest that has a subject, by digest; where the
  // registry has no referrers API, also adds it to the "sha256-<hex>" index
  // tag (the distribution spec's fallback). Returns the manifest's digest.
  virtual Digest PutReferrer(const std::string& repository, std::string_view bytes, const Digest& subject) = 0;
};

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_SIGNATURE_STORE_H_
