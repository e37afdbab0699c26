#include "sigstore_bundle.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <vector>

#include "berth/util/base64.h"
#include "keys.h"
#include "simple_signing.h"

namespace berth::cosign {
namespace {

using OrderedJson = nlohmann::ordered_json;

SignatureCheckResult Malformed(const std::string& what) {
  return {CheckOutcome::kMalformedPayload, "malformed bundle: " + what, nullptr};
}

std::string HexToBytes(std::string_view hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes += char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return bytes;
}

}  // namespace

std::string Pae(std::string_view payload_type, std::string_view payload) {
  return "DSSEv1 " + std::to_string(payload_type.size()) + " " + std::string(payload_type) + " " + std::to_string(payload.size()) +
         " " + std::string(payload);
}

std::string KeyHint(const PublicKey& key) { return Base64Encode(HexToBytes(key.KeyId().substr(7))); }

std::string InTotoStatement(const std::string& subject_name, const Digest& digest) {
  return R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":)" + GoJsonQuote(subject_name) + R"(,"digest":{)" +
         GoJsonQuote(digest.algorithm()) + ":" + GoJsonQuote(digest.hex()) + R"(}}],"predicateType":)" +
         GoJsonQuote(kSignPredicateType) + R"(,"predicate":{}})";
}

std::string BuildBundle(const std::string& statement, const PrivateKey& key) {
  std::string signature = key.Sign(Pae(kInTotoPayloadType, statement));
  OrderedJson bundle = {
      {"mediaType", kBundleMediaType},
      {"verificationMaterial", {{"publicKey", {{"hint", KeyHint(key.Public())}}}}},
      {"dsseEnvelope",
       {{"payload", Base64Encode(statement)}, {"payloadType", kInTotoPayloadType}, {"signatures", {{{"sig", Base64Encode(signature)}}}}}}};
  return bundle.dump();
}

std::string BundleManifest(std::string_view bundle, const SubjectDescriptor& subject, const std::string& created) {
  Digest bundle_digest = Digest::Of(bundle);
  OrderedJson manifest = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
      {"artifactType", kBundleMediaType},
      {"config", {{"mediaType", kEmptyConfigMediaType}, {"digest", Digest::Of(kEmptyConfig).str()}, {"size", kEmptyConfig.size()}}},
      {"layers",
       {{{"digest", bundle_digest.str()},
         {"mediaType", kBundleMediaType},
         {"size", bundle.size()},
         {"annotations", {{"org.opencontainers.image.title", bundle_digest.algorithm() + "-" + bundle_digest.hex() + ".sigstore.json"}}}}}},
      {"subject", {{"mediaType", subject.media_type}, {"digest", subject.digest.str()}, {"size", subject.size}}},
      {"annotations",
       {{"dev.sigstore.bundle.content", "dsse-envelope"},
        {"dev.sigstore.bundle.predicateType", kSignPredicateType},
        {"org.opencontainers.image.created", created}}}};
  return manifest.dump();
}

SignatureCheckResult CheckBundle(std::string_view bundle, const PublicKey& key, const std::string& key_name, const Digest& image_digest,
                                 const std::map<std::string, std::string>& annotations) {
  nlohmann::json json = nlohmann::json::parse(bundle, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return Malformed("not JSON");
  if (!json.value("mediaType", nlohmann::json()).is_string() ||
      !json["mediaType"].get<std::string>().starts_with("application/vnd.dev.sigstore.bundle")) {
    return Malformed("no Sigstore bundle mediaType");
  }
  const nlohmann::json envelope = json.value("dsseEnvelope", nlohmann::json());
  if (!envelope.is_object()) return Malformed("no dsseEnvelope (only DSSE bundles are supported)");
  if (envelope.value("payloadType", "") != kInTotoPayloadType) return Malformed("payloadType is not " + std::string(kInTotoPayloadType));
  auto payload = envelope.value("payload", nlohmann::json()).is_string() ? Base64Decode(envelope["payload"].get<std::string>())
                                                                       : std::nullopt;
  if (!payload) return Malformed("payload is not base64");
  const nlohmann::json signatures = envelope.value("signatures", nlohmann::json());
  if (!signatures.is_array() || signatures.empty()) return {CheckOutcome::kNoSignature, "the bundle has no signatures", nullptr};

  std::string pae = Pae(kInTotoPayloadType, *payload);
  bool verified = false;
  for (const auto& entry : signatures) {
    auto signature = entry.is_object() && entry.value("sig", nlohmann::json()).is_string() ? Base64Decode(entry["sig"].get<std::string>())
                                                                                           : std::nullopt;
    if (signature && key.Verify(pae, *signature)) verified = true;
  }
  if (!verified) {
    std::string hint;
    if (json.contains("verificationMaterial") && json["verificationMaterial"].is_object()) {
      const nlohmann::json material = json["verificationMaterial"];
      if (material.contains("publicKey") && material["publicKey"].is_object()) hint = material["publicKey"].value("hint", "");
    }
    if (!hint.empty() && hint != KeyHint(key)) {
      return {CheckOutcome::kWrongKey, "signed with another key (hint " + hint + "), not " + key_name + " (hint " + KeyHint(key) + ")",
              nullptr};
    }
    if (!hint.empty()) {
      return {CheckOutcome::kPayloadModified,
              "the statement was modified after it was signed: the signature by " + key_name + " does not cover it", nullptr};
    }
    return {CheckOutcome::kBadSignature, "signature does not verify with " + key_name + " (made with another key, or the statement was modified)",
            nullptr};
  }
  nlohmann::json statement = nlohmann::json::parse(*payload, nullptr, false);
  if (statement.is_discarded() || !statement.is_object() || !statement.value("subject", nlohmann::json()).is_array()) {
    return Malformed("the payload is not an in-toto statement");
  }
  if (statement.value("predicateType", "") != kSignPredicateType) {
    return {CheckOutcome::kMalformedPayload,
            "the statement's predicateType is \"" + statement.value("predicateType", "") + "\", not a cosign signature", statement};
  }
  std::vector<std::string> subjects;
  for (const auto& subject : statement["subject"]) {
    if (!subject.is_object() || !subject.contains("digest") || !subject["digest"].is_object()) continue;
    for (const auto& [algorithm, hex] : subject["digest"].items()) {
      if (hex.is_string()) subjects.push_back(algorithm + ":" + hex.get<std::string>());
    }
  }
  if (std::find(subjects.begin(), subjects.end(), image_digest.str()) == subjects.end()) {
    return {CheckOutcome::kOtherImage, "signature is for another image: " + (subjects.empty() ? std::string("(no subject)") : subjects[0]),
            statement};
  }
  if (!annotations.empty()) {
    return {CheckOutcome::kAnnotationMismatch,
            "annotation " + annotations.begin()->first + "=" + annotations.begin()->second + " is not in the payload (bundles carry none)",
            statement};
  }
  return {CheckOutcome::kValid, "", statement};
}

}  // namespace berth::cosign
