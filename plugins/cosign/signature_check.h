// Checks one stored signature against a public key, the image digest and the
// annotations the caller requires, in cosign's order: the payload blob
// matches its digest, the signature verifies over the payload bytes, the
// payload is a cosign document, it names this image's digest, and its
// `optional` holds the required annotations. Each failure has its own reason.
#ifndef BERTH_PLUGINS_COSIGN_SIGNATURE_CHECK_H_
#define BERTH_PLUGINS_COSIGN_SIGNATURE_CHECK_H_

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>

#include "berth/util/digest.h"
#include "signature_manifest.h"

namespace berth::cosign {

class PublicKey;

enum class CheckOutcome {
  kValid,
  kBlobModified,       // The payload bytes do not hash to the layer's digest.
  kNoSignature,        // The layer has no (decodable) signature annotation.
  kWrongKey,           // Signed by another key (berth's key id says which).
  kPayloadModified,    // Our key id, but the signature does not cover these bytes.
  kBadSignature,       // Does not verify, and nothing tells which of the two above.
  kMalformedPayload,
  kOtherImage,         // A valid signature for another digest.
  kAnnotationMismatch,
};

// "valid", "blob-modified", "no-signature", "wrong-key", "payload-modified",
// "bad-signature", "malformed-payload", "other-image", "annotation-mismatch"
// (and, from VerifyImage, "blob-missing" and "unsupported" media types):
// the stable words of `berth verify -o json`.
const char* CheckOutcomeName(CheckOutcome outcome);

struct SignatureCheckResult {
  CheckOutcome outcome;
  std::string message;      // One line; empty when valid.
  nlohmann::json payload;   // The parsed document when readable, else null.
};

SignatureCheckResult CheckSignature(const SignatureLayer& layer, std::string_view payload, const PublicKey& key,
                                    const std::string& key_name, const Digest& image_digest,
                                    const std::map<std::string, std::string>& annotations);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_SIGNATURE_CHECK_H_
