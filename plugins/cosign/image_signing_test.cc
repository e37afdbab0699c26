// The signing and verifying logic over an in-memory SignatureStore (a test
// double of the registry; tests/e2e/cosign_e2e_test.cc runs the same flows
// against the real docker-registry).
#include "image_signing.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "signature_manifest.h"
#include "simple_signing.h"
#include "sigstore_bundle.h"

namespace berth::cosign {
namespace {

const Digest kSigningImage = Digest::Of("an image manifest");
const Digest kOtherImage = Digest::Of("another image manifest");

class MemoryStore : public SignatureStore {
 public:
  ResolvedImage Resolve(const std::string& image) override {
    if (image == "reg.test/app:v1") return {"reg.test/app", kSigningImage};
    if (image == "reg.test/app:v2") return {"reg.test/app", kOtherImage};
    throw Error(ErrorCode::kNotFound, "no image " + image);
  }
  std::optional<StoredManifest> GetManifest(const std::string& repository, const std::string& tag) override {
    auto it = manifests.find(repository + ":" + tag);
    if (it == manifests.end()) return std::nullopt;
    return StoredManifest{it->second, Digest::Of(it->second)};
  }
  std::string GetBlob(const std::string& repository, const Digest& digest, uint64_t) override {
    auto it = blobs.find(repository + "@" + digest.str());
    if (it == blobs.end()) throw Error(ErrorCode::kNotFound, "no blob " + digest.str());
    return it->second;
  }
  void PutBlob(const std::string& repository, std::string_view data) override {
    blobs[repository + "@" + Digest::Of(data).str()] = std::string(data);
  }
  Digest PutManifest(const std::string& repository, const std::string& tag, std::string_view bytes, std::string_view media_type) override {
    EXPECT_EQ(media_type, kOciManifestMediaType);
    manifests[repository + ":" + tag] = std::string(bytes);
    ++manifest_puts;
    return Digest::Of(bytes);
  }

  std::vector<StoredManifest> Referrers(const std::string& repository, const Digest& subject, const std::string& artifact_type) override {
    std::vector<StoredManifest> found;
    for (const auto& [key, bytes] : manifests) {
      if (!key.starts_with(repository + "@")) continue;
      auto json = nlohmann::json::parse(bytes);
      if (json.contains("subject") && json["subject"]["digest"] == subject.str() && json.value("artifactType", "") == artifact_type) {
        found.push_back({bytes, Digest::Of(bytes)});
      }
    }
    return found;
  }
  Digest PutReferrer(const std::string& repository, std::string_view bytes, const Digest&) override {
    Digest digest = Digest::Of(bytes);
    manifests[repository + "@" + digest.str()] = std::string(bytes);
    ++manifest_puts;
    return digest;
  }

  std::map<std::string, std::string> manifests;
  std::map<std::string, std::string> blobs;
  int manifest_puts = 0;
};

class ImageSigningTest : public ::testing::Test {
 protected:
  VerifyResult Verify(const PublicKey& key, std::map<std::string, std::string> annotations = {}, std::string image = "reg.test/app:v1") {
    return VerifyImage(store_, key, "cosign.pub", {image, std::move(annotations), "", false});
  }
  std::string SigKey(const Digest& digest = kSigningImage) { return "reg.test/app:" + SignatureTag(digest); }
  nlohmann::json StoredManifestJson() { return nlohmann::json::parse(store_.manifests.at(SigKey())); }

  // Replaces the payload of layer `index` by `payload` (uploaded under its
  // own digest), keeping the old signature: what an attacker with push
  // access can do.
  void SwapPayload(size_t index, const std::string& payload) {
    auto manifest = SignatureManifest::Parse(store_.manifests.at(SigKey()), "sig");
    SignatureManifest changed;
    for (size_t i = 0; i < manifest.layers().size(); ++i) {
      SignatureLayer layer = manifest.layers()[i];
      if (i == index) {
        layer.digest = Digest::Of(payload).str();
        layer.size = payload.size();
      }
      changed.Append(layer);
    }
    store_.PutBlob("reg.test/app", payload);
    store_.manifests[SigKey()] = changed.ManifestBytes();
  }

  MemoryStore store_;
  PrivateKey key_ = PrivateKey::GenerateEcdsaP256();
};

TEST_F(ImageSigningTest, SignsAppendsAndSkipsAnIdenticalSignature) {
  SignResult first = SignImage(store_, key_, {"reg.test/app:v1", {}, "", false});
  EXPECT_EQ(first.image, "reg.test/app@" + kSigningImage.str());
  EXPECT_EQ(first.signature, SigKey());
  EXPECT_TRUE(first.pushed);
  EXPECT_FALSE(first.already_signed);
  EXPECT_EQ(first.signature_digest, Digest::Of(store_.manifests.at(SigKey())).str());
  std::string payload = BuildPayload("reg.test/app", kSigningImage.str(), {});
  EXPECT_EQ(store_.blobs.at("reg.test/app@" + Digest::Of(payload).str()), payload);

  SignResult again = SignImage(store_, key_, {"reg.test/app:v1", {}, "", false});
  EXPECT_TRUE(again.already_signed);
  EXPECT_FALSE(again.pushed);
  EXPECT_EQ(again.signature_digest, first.signature_digest);
  EXPECT_EQ(store_.manifest_puts, 1);

  SignImage(store_, key_, {"reg.test/app:v1", {{"env", "prod"}}, "", false});
  PrivateKey other = PrivateKey::GenerateEcdsaP256();
  SignImage(store_, other, {"reg.test/app:v1", {}, "", false});
  EXPECT_EQ(StoredManifestJson()["layers"].size(), 3u);
  EXPECT_EQ(store_.manifest_puts, 3);
}

TEST_F(ImageSigningTest, DryRunPushesNothing) {
  SignResult result = SignImage(store_, key_, {"reg.test/app:v1", {}, "", true});
  EXPECT_FALSE(result.pushed);
  EXPECT_TRUE(store_.manifests.empty());
  EXPECT_TRUE(store_.blobs.empty());
}

TEST_F(ImageSigningTest, SignatureRepositoryTakesTheSignaturesElsewhere) {
  SignImage(store_, key_, {"reg.test/app:v1", {}, "reg.test/signatures", false});
  EXPECT_TRUE(store_.manifests.count("reg.test/signatures:" + SignatureTag(kSigningImage)));
  EXPECT_FALSE(store_.manifests.count(SigKey()));
  // The payload still names the image's own repository.
  auto result = VerifyImage(store_, key_.Public(), "k", {"reg.test/app:v1", {}, "reg.test/signatures", false});
  ASSERT_TRUE(result.Verified());
  EXPECT_EQ(result.checks[0].payload["critical"]["identity"]["docker-reference"], "reg.test/app");
  EXPECT_FALSE(Verify(key_.Public()).Verified());
}

TEST_F(ImageSigningTest, VerifiesAndReportsEverySignature) {
  EXPECT_TRUE(Verify(key_.Public()).checks.empty());
  SignImage(store_, key_, {"reg.test/app:v1", {{"env", "prod"}}, "", false});
  VerifyResult result = Verify(key_.Public(), {{"env", "prod"}});
  ASSERT_TRUE(result.Verified());
  ASSERT_EQ(result.checks.size(), 1u);
  EXPECT_EQ(result.checks[0].outcome, "valid");
  EXPECT_EQ(result.checks[0].payload["optional"], nlohmann::json({{"env", "prod"}}));
  EXPECT_EQ(result.digest, kSigningImage.str());

  result = Verify(key_.Public(), {{"env", "dev"}});
  EXPECT_FALSE(result.Verified());
  EXPECT_EQ(result.checks[0].outcome, "annotation-mismatch");
  EXPECT_EQ(result.checks[0].message, "annotation env is \"prod\", not \"dev\"");
}

TEST_F(ImageSigningTest, WrongKeyIsNamed) {
  SignImage(store_, key_, {"reg.test/app:v1", {}, "", false});
  PublicKey other = PrivateKey::GenerateEcdsaP256().Public();
  VerifyResult result = Verify(other);
  EXPECT_FALSE(result.Verified());
  EXPECT_EQ(result.checks[0].outcome, "wrong-key");
  EXPECT_EQ(result.checks[0].message,
            "signed with another key (" + key_.Public().KeyId() + "), not cosign.pub (" + other.KeyId() + ")");
}

TEST_F(ImageSigningTest, TamperedPayloadIsNamed) {
  SignImage(store_, key_, {"reg.test/app:v1", {{"env", "dev"}}, "", false});
  SwapPayload(0, BuildPayload("reg.test/app", kSigningImage.str(), {{"env", "prod"}}));
  VerifyResult result = Verify(key_.Public());
  EXPECT_FALSE(result.Verified());
  EXPECT_EQ(result.checks[0].outcome, "payload-modified");
  EXPECT_EQ(result.checks[0].message, "the payload was modified after it was signed: the signature by cosign.pub does not cover it");
}

TEST_F(ImageSigningTest, WithoutBerthsKeyIdABadSignatureCannotTellWhich) {
  std::string payload = BuildPayload("reg.test/app", kSigningImage.str(), {});
  SignatureManifest manifest;
  manifest.Append(MakeSignatureLayer(payload, PrivateKey::GenerateEcdsaP256().Sign(payload), ""));  // As cosign writes it.
  store_.PutBlob("reg.test/app", payload);
  store_.manifests[SigKey()] = manifest.ManifestBytes();
  VerifyResult result = Verify(key_.Public());
  EXPECT_EQ(result.checks[0].outcome, "bad-signature");
  EXPECT_EQ(result.checks[0].message, "signature does not verify with cosign.pub (made with another key, or the payload was modified)");
}

TEST_F(ImageSigningTest, SignatureCopiedToAnotherImageIsNamed) {
  SignImage(store_, key_, {"reg.test/app:v1", {}, "", false});
  store_.manifests["reg.test/app:" + SignatureTag(kOtherImage)] = store_.manifests.at(SigKey());
  VerifyResult result = Verify(key_.Public(), {}, "reg.test/app:v2");
  EXPECT_FALSE(result.Verified());
  EXPECT_EQ(result.checks[0].outcome, "other-image");
  EXPECT_EQ(result.checks[0].message, "signature is for another image: " + kSigningImage.str());
}

TEST_F(ImageSigningTest, PayloadChangedInStorageIsNamed) {
  SignImage(store_, key_, {"reg.test/app:v1", {}, "", false});
  std::string payload = BuildPayload("reg.test/app", kSigningImage.str(), {});
  store_.blobs["reg.test/app@" + Digest::Of(payload).str()] = payload + " ";
  VerifyResult result = Verify(key_.Public());
  EXPECT_EQ(result.checks[0].outcome, "blob-modified");
  EXPECT_EQ(result.checks[0].message, "payload blob " + Digest::Of(payload).str() + " was modified in storage (its content hashes to " +
                                          Digest::Of(payload + " ").str() + ")");
}

TEST_F(ImageSigningTest, MalformedSignedPayloadIsNamed) {
  std::string payload = R"({"critical":{"type":"something else"}})";
  SignatureManifest manifest;
  manifest.Append(MakeSignatureLayer(payload, key_.Sign(payload), key_.Public().KeyId()));
  store_.PutBlob("reg.test/app", payload);
  store_.manifests[SigKey()] = manifest.ManifestBytes();
  VerifyResult result = Verify(key_.Public());
  EXPECT_EQ(result.checks[0].outcome, "malformed-payload");
  EXPECT_EQ(result.checks[0].message,
            "malformed payload: critical.type is \"something else\", not \"cosign container image signature\"");
}

TEST_F(ImageSigningTest, OneValidSignatureAmongBadOnesVerifies) {
  PrivateKey other = PrivateKey::GenerateEcdsaP256();
  SignImage(store_, other, {"reg.test/app:v1", {}, "", false});
  SignImage(store_, key_, {"reg.test/app:v1", {}, "", false});
  VerifyResult result = Verify(key_.Public());
  ASSERT_EQ(result.checks.size(), 2u);
  EXPECT_FALSE(result.checks[0].valid);
  EXPECT_TRUE(result.checks[1].valid);
  EXPECT_TRUE(result.Verified());
}

TEST_F(ImageSigningTest, BundleReferrersSignVerifyAndSkipDuplicates) {
  SigningOptions options{"reg.test/app:v1", {}, "", false, /*bundle=*/true};
  SignResult first = SignImage(store_, key_, options);
  EXPECT_TRUE(first.pushed);
  EXPECT_EQ(first.signature, "reg.test/app@" + first.signature_digest);
  auto manifest = nlohmann::json::parse(store_.manifests.at(first.signature));
  EXPECT_EQ(manifest["subject"]["digest"], kSigningImage.str());
  EXPECT_TRUE(store_.blobs.count("reg.test/app@" + Digest::Of(kEmptyConfig).str()));

  SignResult again = SignImage(store_, key_, options);
  EXPECT_TRUE(again.already_signed);
  EXPECT_EQ(again.signature_digest, first.signature_digest);
  EXPECT_EQ(store_.manifest_puts, 1);

  // Verify looks at the .sig tag and the referrers.
  SignImage(store_, key_, {"reg.test/app:v1", {}, "", false});
  VerifyResult result = Verify(key_.Public());
  ASSERT_EQ(result.checks.size(), 2u);
  EXPECT_EQ(result.checks[0].format, "simple-signing");
  EXPECT_EQ(result.checks[1].format, "bundle");
  EXPECT_EQ(result.checks[1].id, first.signature_digest);
  EXPECT_TRUE(result.checks[1].valid);
  EXPECT_EQ(result.checks[1].payload["predicateType"], "https://sigstore.dev/cosign/sign/v1");
  VerifyResult other = Verify(PrivateKey::GenerateEcdsaP256().Public());
  EXPECT_EQ(other.checks[1].outcome, "wrong-key");

  options.annotations = {{"env", "prod"}};
  EXPECT_THROW(SignImage(store_, key_, options), Error);
}

}  // namespace
}  // namespace berth::cosign
