// Signer "cosign": berth's Signer interface over cosign's key files and
// tag-based signatures.
#ifndef BERTH_PLUGINS_COSIGN_COSIGN_SIGNER_H_
#define BERTH_PLUGINS_COSIGN_COSIGN_SIGNER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "berth/signer.h"
#include "keys.h"
#include "signature_store.h"

namespace berth::cosign {

// Makes the store through which the signer reaches registries.
using StoreFactory = std::function<std::unique_ptr<SignatureStore>(Services& services, const std::string& verb)>;

class CosignSigner : public Signer {
 public:
  // settings: {"repository": "..."} stores signatures elsewhere, like
  // COSIGN_REPOSITORY (which wins when set); {"format": "bundle"} signs with
  // a Sigstore bundle referrer instead of the .sig tag ("simple-signing").
  CosignSigner(const nlohmann::json& settings, StoreFactory store_factory);

  Result<KeyGenResult> GenerateKeyPair(const KeyGenRequest& request) noexcept override;
  Result<SignResult> Sign(Services& services, const SignRequest& request) noexcept override;
  Result<VerifyResult> Verify(Services& services, const VerifyRequest& request) noexcept override;
  // Unlocks the key and keeps it for this signer's Sign calls: a release
  // asks for the password once, before it pushes anything.
  Result<KeyCheckResult> CheckKey(const KeyCheckRequest& request) noexcept override;

 private:
  std::string SignatureRepository() const;
  const PrivateKey& UnlockedKey(const std::string& path);
  std::optional<std::pair<std::string, PrivateKey>> unlocked_;
  std::string repository_;
  bool bundle_ = false;
  StoreFactory store_factory_;
};

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_COSIGN_SIGNER_H_
