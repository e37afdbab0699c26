// cosign's encrypted private key file (cosign.key).
//
// A PEM block labelled "ENCRYPTED SIGSTORE PRIVATE KEY" (cosign >= 2.0; older
// releases wrote "ENCRYPTED COSIGN PRIVATE KEY") whose body is JSON:
//   {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":b64},
//    "cipher":{"name":"nacl/secretbox","nonce":b64},"ciphertext":b64}
// The secretbox key is scrypt(password, salt, N, r, p, 32 bytes); the
// plaintext is the DER private key (PKCS#8 from cosign; very old releases
// sealed a SEC1 EC key, which the key loader accepts as well).
#ifndef BERTH_PLUGINS_COSIGN_ENCRYPTED_KEY_H_
#define BERTH_PLUGINS_COSIGN_ENCRYPTED_KEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "berth/secret.h"
#include "wiped_string.h"

namespace berth::cosign {

inline constexpr std::string_view kSigstoreKeyLabel = "ENCRYPTED SIGSTORE PRIVATE KEY";
inline constexpr std::string_view kCosignKeyLabel = "ENCRYPTED COSIGN PRIVATE KEY";

struct ScryptParams {
  uint64_t n = 65536;
  uint32_t r = 8;
  uint32_t p = 1;
};

bool IsEncryptedKeyLabel(std::string_view label);
// The cost parameters readers accept (those cosign has written over time).
bool IsAcceptedScryptParams(const ScryptParams& params);

// Seals plaintext (a DER private key) with a fresh random salt and nonce and
// returns the whole PEM file, labelled kSigstoreKeyLabel.
std::string EncryptPrivateKey(std::string_view plaintext, const SecretValue& password, const ScryptParams& params = {});

// Opens the JSON body of an encrypted key block. `source` names the file in
// errors. Throws Error(kInvalidInput) for a malformed envelope and
// Error(kAuth) when the password is wrong.
WipedString DecryptPrivateKey(std::string_view body, const SecretValue& password, const std::string& source);

// The scrypt parameters an envelope declares (for diagnostics and tests).
ScryptParams EnvelopeParams(std::string_view body, const std::string& source);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_ENCRYPTED_KEY_H_
