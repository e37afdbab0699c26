#include "signature_manifest.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "keys.h"
#include "simple_signing.h"
#include "test_util.h"

namespace berth::cosign {
namespace {

using testing::ReadTestData;

const Digest kSignedImage = Digest::Parse("sha256:4c1c50d0ffc614f90b93b07d778028dc765548e823f676fb027f61d281ac380d");

TEST(SignatureManifestTest, TagNameFollowsCosign) {
  EXPECT_EQ(SignatureTag(kSignedImage), "sha256-4c1c50d0ffc614f90b93b07d778028dc765548e823f676fb027f61d281ac380d.sig");
}

TEST(SignatureManifestTest, RewritesARealCosignManifestAndConfigByteForByte) {
  std::string manifest_bytes = ReadTestData("cosign-v1.13.1-push/manifest.json");
  std::string config_bytes = ReadTestData("cosign-v1.13.1-push/config.json");
  auto manifest = SignatureManifest::Parse(manifest_bytes, "sig", config_bytes);
  ASSERT_EQ(manifest.layers().size(), 1u);
  EXPECT_EQ(manifest.layers()[0].media_type, kSimpleSigningMediaType);
  EXPECT_EQ(manifest.layers()[0].size, 252u);
  EXPECT_EQ(*manifest.layers()[0].SignatureBase64(),
            "MEYCIQCPH7NJAIfrB6BZN91dV0o7l/i11muXrvrAh100jDMMhAIhAPsLH0oXb2OPITXRpWBMUd3vHtz5Ks5pql2Hr6t/IJXw");
  EXPECT_EQ(manifest.ConfigBlob(), config_bytes);
  EXPECT_EQ(manifest.ManifestBytes(), manifest_bytes);
}

TEST(SignatureManifestTest, NewManifestUsesTheZeroTimeAsCosignDoesByDefault) {
  std::string payload = ReadTestData("cosign-v1.13.1-push/payload.json");
  SignatureManifest manifest;
  manifest.Append(MakeSignatureLayer(payload, "sig-bytes", ""));
  EXPECT_EQ(manifest.ConfigBlob(),
            R"({"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"",)"
            R"("rootfs":{"type":"layers","diff_ids":["sha256:b671489ededd1a180bd87235bba00fd83354f9c7d13b71d9f8b66a8e52965ebc"]},"config":{}})");
  auto json = nlohmann::json::parse(manifest.ManifestBytes());
  EXPECT_EQ(json["config"]["digest"], Digest::Of(manifest.ConfigBlob()).str());
  EXPECT_EQ(json["config"]["size"], manifest.ConfigBlob().size());
  EXPECT_EQ(json["layers"][0]["annotations"], nlohmann::json({{"dev.cosignproject.cosign/signature", Base64Encode("sig-bytes")}}));
}

TEST(SignatureManifestTest, AppendingKeepsExistingLayersAndHistory) {
  auto manifest = SignatureManifest::Parse(ReadTestData("cosign-v1.13.1-push/manifest.json"), "sig",
                                           ReadTestData("cosign-v1.13.1-push/config.json"));
  std::string payload = BuildPayload("index.docker.io/chihjenhuang/cosign1", kSignedImage.str(), {{"env", "prod"}});
  manifest.Append(MakeSignatureLayer(payload, "second", "sha256:keyid"));
  auto config = nlohmann::json::parse(manifest.ConfigBlob());
  EXPECT_EQ(config["created"], "2023-02-17T09:25:33.91047962-08:00");
  EXPECT_EQ(config["history"].size(), 2u);
  EXPECT_EQ(config["rootfs"]["diff_ids"],
            nlohmann::json({"sha256:b671489ededd1a180bd87235bba00fd83354f9c7d13b71d9f8b66a8e52965ebc", Digest::Of(payload).str()}));
  auto json = nlohmann::json::parse(manifest.ManifestBytes());
  ASSERT_EQ(json["layers"].size(), 2u);
  EXPECT_EQ(json["layers"][1]["annotations"]["dev.berth.cosign/key-id"], "sha256:keyid");
  // What berth writes, berth (and so cosign's layout) reads back.
  auto again = SignatureManifest::Parse(manifest.ManifestBytes(), "sig", manifest.ConfigBlob());
  EXPECT_EQ(again.ManifestBytes(), manifest.ManifestBytes());
}

TEST(SignatureManifestTest, DuplicateIsTheSamePayloadSignedByTheSameKey) {
  PrivateKey key = PrivateKey::GenerateEcdsaP256();
  std::string payload = BuildPayload("reg/app", kSignedImage.str(), {});
  SignatureManifest manifest;
  manifest.Append(MakeSignatureLayer(payload, key.Sign(payload), key.Public().KeyId()));
  // ECDSA signatures differ each time; the payload and key decide.
  SignatureLayer again = MakeSignatureLayer(payload, key.Sign(payload), key.Public().KeyId());
  EXPECT_EQ(FindDuplicate(manifest, again, payload, key.Public()), 0u);
  // A cosign-made layer without berth's key id is still a duplicate.
  SignatureLayer bare = MakeSignatureLayer(payload, key.Sign(payload), "");
  EXPECT_EQ(FindDuplicate(manifest, bare, payload, key.Public()), 0u);

  PrivateKey other = PrivateKey::GenerateEcdsaP256();
  EXPECT_FALSE(FindDuplicate(manifest, MakeSignatureLayer(payload, other.Sign(payload), ""), payload, other.Public()));
  std::string annotated = BuildPayload("reg/app", kSignedImage.str(), {{"env", "prod"}});
  EXPECT_FALSE(FindDuplicate(manifest, MakeSignatureLayer(annotated, key.Sign(annotated), ""), annotated, key.Public()));
  SignatureLayer extra = again;
  extra.annotations["dev.sigstore.cosign/certificate"] = "cert";
  EXPECT_FALSE(FindDuplicate(manifest, extra, payload, key.Public()));
}

TEST(SignatureManifestTest, RefusesWhatIsNotASignatureManifest) {
  auto message = [](const std::string& bytes) -> std::string {
    try {
      SignatureManifest::Parse(bytes, "reg/app:sha256-x.sig");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
      return e.what();
    }
    return "parsed";
  };
  EXPECT_EQ(message("nope"), "reg/app:sha256-x.sig: not a cosign signature manifest: not JSON");
  EXPECT_EQ(message(R"({"schemaVersion":1})"), "reg/app:sha256-x.sig: not a cosign signature manifest: schemaVersion is not 2");
  EXPECT_EQ(message(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})"),
            "reg/app:sha256-x.sig: not a cosign signature manifest: media type application/vnd.oci.image.index.v1+json is not an "
            "image manifest");
  EXPECT_EQ(message(R"({"schemaVersion":2,"layers":[{"mediaType":"x","size":1}]})"),
            "reg/app:sha256-x.sig: not a cosign signature manifest: a layer lacks mediaType, size or digest");
  EXPECT_EQ(message(R"({"schemaVersion":2,"layers":[{"mediaType":"x","size":1,"digest":"sha256:1234"}]})"),
            "reg/app:sha256-x.sig: not a cosign signature manifest: layer digest 'sha256:1234' is not a digest");
}

}  // namespace
}  // namespace berth::cosign
