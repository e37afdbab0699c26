#include "signature_check.h"

#include "berth/error.h"
#include "berth/util/base64.h"
#include "keys.h"
#include "simple_signing.h"

namespace berth::cosign {

const char* CheckOutcomeName(CheckOutcome outcome) {
  switch (outcome) {
    case CheckOutcome::kValid: return "valid";
    case CheckOutcome::kBlobModified: return "blob-modified";
    case CheckOutcome::kNoSignature: return "no-signature";
    case CheckOutcome::kWrongKey: return "wrong-key";
    case CheckOutcome::kPayloadModified: return "payload-modified";
    case CheckOutcome::kBadSignature: return "bad-signature";
    case CheckOutcome::kMalformedPayload: return "malformed-payload";
    case CheckOutcome::kOtherImage: return "other-image";
    case CheckOutcome::kAnnotationMismatch: return "annotation-mismatch";
  }
  return "unknown";
}

SignatureCheckResult CheckSignature(const SignatureLayer& layer, std::string_view payload, const PublicKey& key,
                                    const std::string& key_name, const Digest& image_digest,
                                    const std::map<std::string, std::string>& annotations) {
  std::string actual = Digest::Of(payload).str();
  if (actual != layer.digest) {
    return {CheckOutcome::kBlobModified,
            "payload blob " + layer.digest + " was modified in storage (its content hashes to " + actual + ")", nullptr};
  }
  auto encoded = layer.SignatureBase64();
  std::optional<std::string> signature = encoded ? Base64Decode(*encoded) : std::nullopt;
  if (!signature || signature->empty()) {
    return {CheckOutcome::kNoSignature,
            "layer " + layer.digest + " has no valid " + std::string(kSignatureAnnotation) + " annotation", nullptr};
  }
  if (!key.Verify(payload, *signature)) {
    auto signer = layer.annotations.find(std::string(kKeyIdAnnotation));
    std::string our_id = key.KeyId();
    if (signer != layer.annotations.end() && signer->second != our_id) {
      return {CheckOutcome::kWrongKey, "signed with another key (" + signer->second + "), not " + key_name + " (" + our_id + ")",
              nullptr};
    }
    if (signer != layer.annotations.end()) {
      return {CheckOutcome::kPayloadModified,
              "the payload was modified after it was signed: the signature by " + key_name + " does not cover it", nullptr};
    }
    return {CheckOutcome::kBadSignature,
            "signature does not verify with " + key_name + " (made with another key, or the payload was modified)", nullptr};
  }
  SimpleSigning parsed;
  try {
    parsed = ParsePayload(payload);
  } catch (const Error& e) {
    return {CheckOutcome::kMalformedPayload, e.what(), nullptr};
  }
  nlohmann::json document = nlohmann::json::parse(payload);
  if (parsed.docker_manifest_digest != image_digest.str()) {
    return {CheckOutcome::kOtherImage, "signature is for another image: " + parsed.docker_manifest_digest, document};
  }
  std::string mismatch = AnnotationMismatch(parsed, annotations);
  if (!mismatch.empty()) return {CheckOutcome::kAnnotationMismatch, mismatch, document};
  return {CheckOutcome::kValid, "", document};
}

}  // namespace berth::cosign
