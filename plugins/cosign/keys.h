// Signing keys the way cosign uses them: ECDSA (P-256 from generate-key-pair;
// P-384 and P-521 on import) with SHA-256 and ASN.1 DER signatures, RSA
// (2048 bits or more) with PKCS#1 v1.5 and SHA-256, and Ed25519 over the raw
// payload.
#ifndef BERTH_PLUGINS_COSIGN_KEYS_H_
#define BERTH_PLUGINS_COSIGN_KEYS_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "berth/secret.h"
#include "encrypted_key.h"
#include "wiped_string.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace berth::cosign {

enum class KeyType { kEcdsa, kRsa, kEd25519 };

class PublicKey {
 public:
  // "PUBLIC KEY" (PKIX, what cosign.pub holds), "RSA PUBLIC KEY" (PKCS#1) or
  // a "CERTIFICATE" whose key is used. `source` names the file in errors.
  static PublicKey FromPem(std::string_view text, const std::string& source);

  KeyType type() const { return type_; }
  // "ECDSA P-256", "RSA 3072", "Ed25519".
  std::string Describe() const;
  std::string Der() const;   // SubjectPublicKeyInfo.
  std::string Pem() const;   // "PUBLIC KEY" block, as cosign writes cosign.pub.
  // "sha256:<hex>" of the DER form: names a key in messages and annotations.
  std::string KeyId() const;
  // True when signature is this key's signature over payload.
  bool Verify(std::string_view payload, std::string_view signature) const;

 private:
  friend class PrivateKey;
  explicit PublicKey(std::shared_ptr<EVP_PKEY> key);
  std::shared_ptr<EVP_PKEY> key_;
  KeyType type_;
};

// Called only when the key turns out to be encrypted.
using PasswordProvider = std::function<SecretValue()>;

class PrivateKey {
 public:
  static PrivateKey GenerateEcdsaP256();
  // A DER private key: PKCS#8, SEC1 ("EC PRIVATE KEY") or PKCS#1 ("RSA
  // PRIVATE KEY"). Throws Error(kInvalidInput) naming source.
  static PrivateKey FromDer(std::string_view der, const std::string& source);
  // A key file: cosign's encrypted format (either label), or a plain PEM
  // "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY" or password-protected
  // "ENCRYPTED PRIVATE KEY".
  static PrivateKey FromPem(std::string_view text, const std::string& source, const PasswordProvider& password);

  KeyType type() const { return type_; }
  std::string Describe() const { return Public().Describe(); }
  PublicKey Public() const;
  WipedString Pkcs8Der() const;
  // cosign.key contents: this key sealed under password.
  std::string EncryptedPem(const SecretValue& password, const ScryptParams& params = {}) const;
  std::string Sign(std::string_view payload) const;

 private:
  explicit PrivateKey(std::shared_ptr<EVP_PKEY> key, const std::string& source);
  std::shared_ptr<EVP_PKEY> key_;
  KeyType type_;
};

}  // namespace berth::cosign

#endif  // BERTH_PLUGINS_COSIGN_KEYS_H_
