#include "sealed_box.h"

#include <sodium.h>

#include <vector>

#include "berth/error.h"
#include "berth/util/base64.h"

namespace berth::ghcr {

std::string SealForGitHub(const SecretValue& value, const std::string& public_key_base64) {
  if (sodium_init() < 0) throw Error(ErrorCode::kFailure, "libsodium failed to initialise");
  auto key = Base64Decode(public_key_base64);
  if (!key || key->size() != crypto_box_PUBLICKEYBYTES) {
    throw Error(ErrorCode::kFailure, "GitHub's public key for secrets is not a base64 32-byte X25519 key");
  }
  const std::string& plain = value.Reveal();
  std::vector<unsigned char> sealed(plain.size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(sealed.data(), reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                      reinterpret_cast<const unsigned char*>(key->data())) != 0) {
    throw Error(ErrorCode::kFailure, "crypto_box_seal failed");
  }
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(sealed.data()), sealed.size()));
}

}  // namespace berth::ghcr
