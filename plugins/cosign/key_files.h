// cosign.key / cosign.pub on disk: generating a pair, importing a PEM key,
// and loading keys for signing and verifying.
#ifndef BERTH_PLUGINS_COSIGN_KEY_FILES_H_
#define BERTH_PLUGINS_COSIGN_KEY_FILES_H_

#include <string>

#include "berth/signer.h"
#include "keys.h"

namespace berth::cosign {

// Writes <prefix>.key (encrypted, 0600) and <prefix>.pub (0644) for key,
// refusing to overwrite either unless force.
KeyGenResult WriteKeyPair(const PrivateKey& key, const std::string& prefix, bool force, const SecretValue& password,
                          const ScryptParams& params = {});

// A new ECDSA P-256 pair; the password from COSIGN_PASSWORD or asked twice.
KeyGenResult GenerateKeyFiles(const std::string& prefix, bool force);

// A plain PEM private key (EC, RSA, Ed25519; PKCS#8, SEC1 or PKCS#1) sealed
// into cosign's format under a new password.
KeyGenResult ImportKeyFiles(const std::string& pem_path, const std::string& prefix, bool force);

// A private key file for signing (cosign.key or plain PEM); the password is
// asked only when the key is encrypted.
PrivateKey LoadPrivateKeyFile(const std::string& path);
PublicKey LoadPublicKeyFile(const std::string& path);

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_KEY_FILES_H_
