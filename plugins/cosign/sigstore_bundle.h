// cosign v3's default signature: a Sigstore bundle (v0.3, key-based, no
// transparency log) holding a DSSE envelope over an in-toto statement about
// the image digest, stored as an OCI 1.1 referrer of the image (cosign's
// specs/BUNDLE_SPEC.md):
//
//   manifest: artifactType application/vnd.dev.sigstore.bundle.v0.3+json,
//             config = the OCI empty descriptor, one layer = the bundle JSON,
//             subject = the image, annotations dev.sigstore.bundle.content
//             ("dsse-envelope"), dev.sigstore.bundle.predicateType,
//             org.opencontainers.image.created
//   bundle:   {"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
//              "verificationMaterial":{"publicKey":{"hint":"<key hint>"}},
//              "dsseEnvelope":{"payload":b64(statement),
//                              "payloadType":"application/vnd.in-toto+json",
//                              "signatures":[{"sig":b64(signature over PAE)}]}}
//   statement:{"_type":"https://in-toto.io/Statement/v1",
//              "subject":[{"name":"<repository>","digest":{"sha256":"<hex>"}}],
//              "predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}
//
// UNCONFIRMED against a cosign binary (none exists here): the key hint's
// encoding (berth: base64 of the SHA-256 of the public key's DER) and the
// subject name.
#ifndef BERTH_PLUGINS_COSIGN_SIGSTORE_BUNDLE_H_
#define BERTH_PLUGINS_COSIGN_SIGSTORE_BUNDLE_H_

#include <map>
#include <string>
#include <string_view>

#include "berth/util/digest.h"
#include "signature_check.h"

namespace berth::cosign {

class PrivateKey;
class PublicKey;

inline constexpr std::string_view kBundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";
inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
inline constexpr std::string_view kSignPredicateType = "https://sigstore.dev/cosign/sign/v1";
inline constexpr std::string_view kEmptyConfigMediaType = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kEmptyConfig = "{}";

// DSSE pre-authentication encoding: what the signature covers.
std::string Pae(std::string_view payload_type, std::string_view payload);

// The key hint berth writes into verificationMaterial.publicKey.hint.
std::string KeyHint(const PublicKey& key);

std::string InTotoStatement(const std::string& subject_name, const Digest& digest);

// The bundle JSON for `statement` signed with key.
std::string BuildBundle(const std::string& statement, const PrivateKey& key);

struct SubjectDescriptor {
  std::string media_type;
  Digest digest;
  uint64_t size = 0;
};

// The referrer manifest for a bundle blob; `created` is RFC 3339.
std::string BundleManifest(std::string_view bundle, const SubjectDescriptor& subject, const std::string& created);

// Checks one bundle against the key and the image digest. Annotations cannot
// be required of a bundle (cosign's statement has none): any requested one
// is reported missing.
SignatureCheckResult CheckBundle(std::string_view bundle, const PublicKey& key, const std::string& key_name, const Digest& image_digest,
                                 const std::map<std::string, std::string>& annotations);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_SIGSTORE_BUNDLE_H_
