// libsodium's sealed box (crypto_box_seal: X25519 + XSalsa20-Poly1305 with an
// ephemeral key), which GitHub requires for Actions secrets. OpenSSL has no
// XSalsa20, hence libsodium.
#ifndef BERTH_PLUGINS_GHCR_SEALED_BOX_H_
#define BERTH_PLUGINS_GHCR_SEALED_BOX_H_

#include <string>

#include "berth/secret.h"

namespace berth::ghcr {

// Base64 of the sealed box of `value` for the base64 X25519 `public_key`.
// Error(kFailure) when the key is not 32 bytes of base64.
std::string SealForGitHub(const SecretValue& value, const std::string& public_key_base64);

}  // namespace berth::ghcr

#endif  // BERTH_PLUGINS_GHCR_SEALED_BOX_H_
