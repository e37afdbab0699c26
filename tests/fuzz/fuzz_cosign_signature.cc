// cosign signatures as a registry serves them: the signature manifest (and
// its config), the simple-signing payload, and sigstore bundles. The first
// byte picks the reader; bundles are checked against a key made at start-up.
#include "fuzz_util.h"
#include "keys.h"
#include "signature_check.h"
#include "signature_manifest.h"
#include "sigstore_bundle.h"
#include "simple_signing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const berth::cosign::PrivateKey key = berth::cosign::PrivateKey::GenerateEcdsaP256();
  static const berth::Digest image = berth::Digest::Of("image");
  if (size == 0) return 0;
  std::string_view text = berth::fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      berth::fuzz::Expect([&] {
        auto manifest = berth::cosign::SignatureManifest::Parse(text, "fuzz");
        for (const auto& layer : manifest.layers()) (void)layer.SignatureBase64();
        (void)manifest.ManifestBytes();
        (void)manifest.ConfigBlob();
      });
      break;
    case 1: {
      auto parts = berth::fuzz::SplitParts(text);
      berth::fuzz::Expect([&] {
        (void)berth::cosign::SignatureManifest::Parse(parts[0], "fuzz", parts.size() > 1 ? parts[1] : std::string_view()).ConfigBlob();
      });
      break;
    }
    case 2:
      berth::fuzz::Expect([&] {
        auto payload = berth::cosign::ParsePayload(text);
        (void)berth::cosign::AnnotationMismatch(payload, {{"env", "prod"}});
      });
      berth::fuzz::Expect([&] { (void)berth::cosign::ParseAnnotation(std::string(text)); });
      break;
    default:
      berth::fuzz::Expect([&] { (void)berth::cosign::CheckBundle(text, key.Public(), "fuzz.pub", image, {{"env", "prod"}}); });
      break;
  }
  return 0;
}
