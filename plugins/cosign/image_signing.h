// Signing an image and verifying its signatures, cosign's tag-based way, over
// a SignatureStore.
#ifndef BERTH_PLUGINS_COSIGN_IMAGE_SIGNING_H_
#define BERTH_PLUGINS_COSIGN_IMAGE_SIGNING_H_

#include <map>
#include <string>

#include "berth/signer.h"
#include "keys.h"
#include "signature_store.h"

namespace berth::cosign {

inline constexpr const char* kRepositoryEnv = "COSIGN_REPOSITORY";

struct SigningOptions {
  std::string image;
  std::map<std::string, std::string> annotations;
  std::string signature_repository;  // Empty: the image's own repository.
  bool dry_run = false;
  // Sign with a Sigstore bundle stored as an OCI 1.1 referrer (cosign v3's
  // default) instead of a layer of the .sig manifest. Verify checks both.
  bool bundle = false;
};

// Resolves the digest, signs the simple-signing payload and appends it to the
// image's .sig manifest unless an identical signature is already there.
SignResult SignImage(SignatureStore& store, const PrivateKey& key, const SigningOptions& options);

// Checks every signature in the image's .sig manifest; key_name names the key
// in messages. No signatures at all gives a result without checks.
VerifyResult VerifyImage(SignatureStore& store, const PublicKey& key, const std::string& key_name, const SigningOptions& options);

// COSIGN_REPOSITORY, or empty.
std::string SignatureRepositoryFromEnv();

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_IMAGE_SIGNING_H_
