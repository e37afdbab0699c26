#include "cosign_signer.h"

#include "berth/error.h"
#include "image_signing.h"
#include "key_files.h"

namespace berth::cosign {

CosignSigner::CosignSigner(const nlohmann::json& settings, StoreFactory store_factory)
    : store_factory_(std::move(store_factory)) {
  // Checked by the host against the schema cosign_plugin.cc declares.
  if (settings.is_object()) {
    repository_ = settings.value("repository", "");
    bundle_ = settings.value("format", "") == "bundle";
  }
}

std::string CosignSigner::SignatureRepository() const {
  std::string from_env = SignatureRepositoryFromEnv();
  return from_env.empty() ? repository_ : from_env;
}

Result<KeyGenResult> CosignSigner::GenerateKeyPair(const KeyGenRequest& request) noexcept {
  return CaptureResult([&] { return GenerateKeyFiles(request.output_prefix.empty() ? "cosign" : request.output_prefix, request.force); });
}

Result<SignResult> CosignSigner::Sign(Services& services, const SignRequest& request) noexcept {
  return CaptureResult([&] {
    if (request.key.empty()) throw Error(ErrorCode::kUsage, "signer cosign needs --key (a cosign.key or PEM private key file)");
    // The key first: a wrong password should fail before any network traffic.
    const PrivateKey& key = UnlockedKey(request.key);
    auto store = store_factory_(services, "sign");
    return SignImage(*store, key, {request.image, request.annotations, SignatureRepository(), request.dry_run, bundle_});
  });
}

Result<KeyCheckResult> CosignSigner::CheckKey(const KeyCheckRequest& request) noexcept {
  return CaptureResult([&] {
    if (request.key.empty()) throw Error(ErrorCode::kUsage, "signer cosign needs a key (a cosign.key or PEM private key file)");
    return KeyCheckResult{true, UnlockedKey(request.key).Public().KeyId()};
  });
}

const PrivateKey& CosignSigner::UnlockedKey(const std::string& path) {
  if (!unlocked_ || unlocked_->first != path) unlocked_.emplace(path, LoadPrivateKeyFile(path));
  return unlocked_->second;
}

Result<VerifyResult> CosignSigner::Verify(Services& services, const VerifyRequest& request) noexcept {
  return CaptureResult([&] {
    if (request.key.empty()) throw Error(ErrorCode::kUsage, "signer cosign needs --key (the public key, cosign.pub)");
    PublicKey key = LoadPublicKeyFile(request.key);
    auto store = store_factory_(services, "verify");
    return VerifyImage(*store, key, request.key, {request.image, request.annotations, SignatureRepository(), false});
  });
}

}  // namespace berth::cosign
