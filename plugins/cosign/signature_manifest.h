// The image that holds an image's cosign signatures: tag "sha256-<hex>.sig"
// in the image's repository (or COSIGN_REPOSITORY), an OCI image manifest
// with one layer per signature. Each layer is a simple-signing payload
// (media type application/vnd.dev.cosign.simplesigning.v1+json) carrying
// its signature in the annotation dev.cosignproject.cosign/signature. The
// config blob is the image config go-containerregistry writes for these
// layers, as cosign pushes it.
#ifndef BERTH_PLUGINS_COSIGN_SIGNATURE_MANIFEST_H_
#define BERTH_PLUGINS_COSIGN_SIGNATURE_MANIFEST_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/util/digest.h"

namespace berth::cosign {

class PublicKey;

inline constexpr std::string_view kOciManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciConfigMediaType = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kSimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr std::string_view kSignatureAnnotation = "dev.cosignproject.cosign/signature";
// berth's own, informational only: the key id (sha256 of the public key's
// DER) that made the signature, so that a verifier holding another key can
// say so instead of guessing. cosign ignores annotations it does not know.
inline constexpr std::string_view kKeyIdAnnotation = "dev.berth.cosign/key-id";

// "sha256-<hex>.sig" for the image digest "sha256:<hex>".
std::string SignatureTag(const Digest& image_digest);

struct SignatureLayer {
  std::string media_type{kSimpleSigningMediaType};
  uint64_t size = 0;
  std::string digest;                              // "sha256:<hex>" of the payload.
  std::map<std::string, std::string> annotations;  // Sorted, as Go writes maps.

  // The annotation's base64 signature, if any.
  std::optional<std::string> SignatureBase64() const;
};

class SignatureManifest {
 public:
  SignatureManifest() = default;
  // A manifest fetched from a registry, with its config blob when there is
  // one (its creation time and history are kept on the next write). Throws
  // Error(kInvalidInput) naming `source` when it is not an image manifest.
  static SignatureManifest Parse(std::string_view manifest, const std::string& source, std::string_view config = {});

  const std::vector<SignatureLayer>& layers() const { return layers_; }
  void Append(SignatureLayer layer) { layers_.push_back(std::move(layer)); }

  // The config blob and the manifest that references it; both are pushed.
  std::string ConfigBlob() const;
  std::string ManifestBytes() const;

 private:
  std::vector<SignatureLayer> layers_;
  std::string created_ = "0001-01-01T00:00:00Z";
  std::vector<std::string> history_;  // Kept entries, as JSON text.
};

// A new signature layer for payload.
SignatureLayer MakeSignatureLayer(std::string_view payload, std::string_view signature_der, const std::string& key_id);

// The index of an existing layer that already is this signature, as cosign's
// duplicate detector decides: the same payload digest and media type, the
// same annotations apart from the signature (and berth's key id), and a
// signature that verifies over the payload with the signing key.
std::optional<size_t> FindDuplicate(const SignatureManifest& manifest, const SignatureLayer& layer, std::string_view payload,
                                    const PublicKey& key);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_SIGNATURE_MANIFEST_H_
