#include "sigstore_bundle.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "berth/util/base64.h"
#include "keys.h"

namespace berth::cosign {
namespace {

const Digest kBundledImage = Digest::Of("image manifest");
const Digest kOther = Digest::Of("other manifest");

// Replaces the bundle's statement, keeping its signature and hint.
std::string WithStatement(const std::string& bundle, const std::string& statement) {
  auto json = nlohmann::ordered_json::parse(bundle);
  json["dsseEnvelope"]["payload"] = Base64Encode(statement);
  return json.dump();
}

TEST(SigstoreBundleTest, PaeIsDsseV1) {
  // The example of the DSSE protocol specification.
  EXPECT_EQ(Pae("http://example.com/HelloWorld", "hello world"), "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST(SigstoreBundleTest, BundleShapeAndStatement) {
  PrivateKey key = PrivateKey::GenerateEcdsaP256();
  std::string statement = InTotoStatement("reg/app", kBundledImage);
  EXPECT_EQ(statement, R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"reg/app","digest":{"sha256":")" + kBundledImage.hex() +
                           R"("}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}})");
  auto bundle = nlohmann::json::parse(BuildBundle(statement, key));
  EXPECT_EQ(bundle["mediaType"], "application/vnd.dev.sigstore.bundle.v0.3+json");
  EXPECT_EQ(bundle["verificationMaterial"]["publicKey"]["hint"], KeyHint(key.Public()));
  EXPECT_EQ(Base64Decode(bundle["verificationMaterial"]["publicKey"]["hint"].get<std::string>())->size(), 32u);
  EXPECT_EQ(bundle["dsseEnvelope"]["payloadType"], "application/vnd.in-toto+json");
  EXPECT_EQ(*Base64Decode(bundle["dsseEnvelope"]["payload"].get<std::string>()), statement);
  std::string signature = *Base64Decode(bundle["dsseEnvelope"]["signatures"][0]["sig"].get<std::string>());
  EXPECT_TRUE(key.Public().Verify(Pae("application/vnd.in-toto+json", statement), signature));
}

TEST(SigstoreBundleTest, ReferrerManifestFollowsCosignsBundleSpec) {
  std::string bundle = R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"})";
  auto manifest = nlohmann::json::parse(BundleManifest(bundle, {"application/vnd.oci.image.manifest.v1+json", kBundledImage, 401}, "2026-01-02T03:04:05Z"));
  EXPECT_EQ(manifest["schemaVersion"], 2);
  EXPECT_EQ(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(manifest["artifactType"], "application/vnd.dev.sigstore.bundle.v0.3+json");
  EXPECT_EQ(manifest["config"], nlohmann::json({{"mediaType", "application/vnd.oci.empty.v1+json"},
                                                {"digest", "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
                                                {"size", 2}}));
  ASSERT_EQ(manifest["layers"].size(), 1u);
  EXPECT_EQ(manifest["layers"][0]["digest"], Digest::Of(bundle).str());
  EXPECT_EQ(manifest["layers"][0]["size"], bundle.size());
  EXPECT_EQ(manifest["layers"][0]["annotations"]["org.opencontainers.image.title"],
            "sha256-" + Digest::Of(bundle).hex() + ".sigstore.json");
  EXPECT_EQ(manifest["subject"], nlohmann::json({{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", kBundledImage.str()}, {"size", 401}}));
  EXPECT_EQ(manifest["annotations"], nlohmann::json({{"dev.sigstore.bundle.content", "dsse-envelope"},
                                                     {"dev.sigstore.bundle.predicateType", "https://sigstore.dev/cosign/sign/v1"},
                                                     {"org.opencontainers.image.created", "2026-01-02T03:04:05Z"}}));
}

TEST(SigstoreBundleTest, ChecksNameEachFailure) {
  PrivateKey key = PrivateKey::GenerateEcdsaP256();
  PublicKey other = PrivateKey::GenerateEcdsaP256().Public();
  std::string bundle = BuildBundle(InTotoStatement("reg/app", kBundledImage), key);
  auto check = [&](const std::string& b, const PublicKey& k, const Digest& d, std::map<std::string, std::string> a = {}) {
    return CheckBundle(b, k, "cosign.pub", d, a);
  };
  EXPECT_EQ(check(bundle, key.Public(), kBundledImage).outcome, CheckOutcome::kValid);
  EXPECT_EQ(check(bundle, key.Public(), kBundledImage).payload["subject"][0]["name"], "reg/app");

  auto wrong = check(bundle, other, kBundledImage);
  EXPECT_EQ(wrong.outcome, CheckOutcome::kWrongKey);
  EXPECT_EQ(wrong.message, "signed with another key (hint " + KeyHint(key.Public()) + "), not cosign.pub (hint " + KeyHint(other) + ")");

  std::string forged = WithStatement(bundle, InTotoStatement("reg/app", kOther));
  EXPECT_EQ(check(forged, key.Public(), kOther).outcome, CheckOutcome::kPayloadModified);
  auto no_hint = nlohmann::json::parse(forged);
  no_hint.erase("verificationMaterial");
  EXPECT_EQ(check(no_hint.dump(), key.Public(), kOther).outcome, CheckOutcome::kBadSignature);

  auto moved = check(bundle, key.Public(), kOther);
  EXPECT_EQ(moved.outcome, CheckOutcome::kOtherImage);
  EXPECT_EQ(moved.message, "signature is for another image: " + kBundledImage.str());

  EXPECT_EQ(check(bundle, key.Public(), kBundledImage, {{"env", "prod"}}).outcome, CheckOutcome::kAnnotationMismatch);
  EXPECT_EQ(check("[]", key.Public(), kBundledImage).message, "malformed bundle: not JSON");
  EXPECT_EQ(check(R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":{}})", key.Public(), kBundledImage).message,
            "malformed bundle: no dsseEnvelope (only DSSE bundles are supported)");
  std::string attestation = BuildBundle(
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}})", key);
  EXPECT_EQ(check(attestation, key.Public(), kBundledImage).message,
            "the statement's predicateType is \"https://slsa.dev/provenance/v1\", not a cosign signature");
}

}  // namespace
}  // namespace berth::cosign
