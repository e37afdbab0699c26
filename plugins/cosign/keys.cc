#include "keys.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include "berth/error.h"
#include "berth/util/digest.h"
#include "pem.h"

namespace berth::cosign {
namespace {

using PkeyPtr = std::shared_ptr<EVP_PKEY>;
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

PkeyPtr Own(EVP_PKEY* key) { return PkeyPtr(key, EVP_PKEY_free); }

std::string CurveName(EVP_PKEY* key) {
  char name[64] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof(name), &length) != 1) return "";
  return std::string(name, length);
}

// The key's type, after checking it is one cosign signs with.
KeyType CheckedType(EVP_PKEY* key, const std::string& source) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      std::string curve = CurveName(key);
      if (curve != "prime256v1" && curve != "secp384r1" && curve != "secp521r1") {
        throw Error(ErrorCode::kInvalidInput, source + ": EC curve " + (curve.empty() ? "(unknown)" : curve) +
                                                  " is not supported (P-256, P-384 or P-521)");
      }
      return KeyType::kEcdsa;
    }
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < 2048) {
        throw Error(ErrorCode::kInvalidInput, source + ": RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) +
                                                  " bits is too small (2048 at least)");
      }
      return KeyType::kRsa;
    case EVP_PKEY_ED25519:
      return KeyType::kEd25519;
    default:
      throw Error(ErrorCode::kInvalidInput, source + ": unsupported key type (ECDSA, RSA or Ed25519)");
  }
}

// Ed25519 signs the message itself; the others sign its SHA-256.
const EVP_MD* DigestFor(KeyType type) { return type == KeyType::kEd25519 ? nullptr : EVP_sha256(); }

std::string ToDer(int (*encode)(const EVP_PKEY*, unsigned char**), EVP_PKEY* key) {
  unsigned char* buffer = nullptr;
  int length = encode(key, &buffer);
  if (length <= 0) throw Error(ErrorCode::kFailure, "could not encode the key");
  std::string der(reinterpret_cast<char*>(buffer), size_t(length));
  OPENSSL_clear_free(buffer, size_t(length));
  return der;
}

int PemPasswordCallback(char* buffer, int size, int /*rwflag*/, void* user) {
  const auto* password = static_cast<const SecretValue*>(user);
  const std::string& value = password->Reveal();
  if (value.size() > size_t(size)) return -1;
  std::memcpy(buffer, value.data(), value.size());
  return int(value.size());
}

}  // namespace

PublicKey::PublicKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)), type_(CheckedType(key_.get(), "public key")) {}

PublicKey PublicKey::FromPem(std::string_view text, const std::string& source) {
  auto block = ParseFirstPem(text);
  if (!block) throw Error(ErrorCode::kInvalidInput, source + ": no PEM block found (expected a PUBLIC KEY)");
  const auto* p = reinterpret_cast<const unsigned char*>(block->body.data());
  long size = long(block->body.size());
  EVP_PKEY* key = nullptr;
  if (block->label == "PUBLIC KEY") {
    key = d2i_PUBKEY(nullptr, &p, size);
  } else if (block->label == "RSA PUBLIC KEY") {
    key = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, size);
  } else if (block->label == "CERTIFICATE") {
    X509* certificate = d2i_X509(nullptr, &p, size);
    if (certificate != nullptr) {
      key = X509_get_pubkey(certificate);
      X509_free(certificate);
    }
  } else if (IsEncryptedKeyLabel(block->label) || block->label.find("PRIVATE KEY") != std::string::npos) {
    throw Error(ErrorCode::kInvalidInput, source + ": holds a private key; give the public key (cosign.pub)");
  } else {
    throw Error(ErrorCode::kInvalidInput, source + ": PEM block '" + block->label + "' is not a public key");
  }
  if (key == nullptr) throw Error(ErrorCode::kInvalidInput, source + ": the " + block->label + " block does not parse");
  PkeyPtr owned = Own(key);
  CheckedType(owned.get(), source);
  return PublicKey(std::move(owned));
}

std::string PublicKey::Describe() const {
  switch (type_) {
    case KeyType::kEcdsa: {
      std::string curve = CurveName(key_.get());
      if (curve == "prime256v1") return "ECDSA P-256";
      if (curve == "secp384r1") return "ECDSA P-384";
      return "ECDSA P-521";
    }
    case KeyType::kRsa:
      return "RSA " + std::to_string(EVP_PKEY_get_bits(key_.get()));
    case KeyType::kEd25519:
      return "Ed25519";
  }
  return "unknown";
}

std::string PublicKey::Der() const { return ToDer(i2d_PUBKEY, key_.get()); }

std::string PublicKey::Pem() const { return EncodePem("PUBLIC KEY", Der()); }

std::string PublicKey::KeyId() const { return "sha256:" + Sha256Hex(Der()); }

bool PublicKey::Verify(std::string_view payload, std::string_view signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(type_), nullptr, key_.get()) != 1) {
    throw Error(ErrorCode::kFailure, "could not set up signature verification");
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) == 1;
}

PrivateKey::PrivateKey(std::shared_ptr<EVP_PKEY> key, const std::string& source)
    : key_(std::move(key)), type_(CheckedType(key_.get(), source)) {}

PrivateKey PrivateKey::GenerateEcdsaP256() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) throw Error(ErrorCode::kFailure, "could not generate an ECDSA P-256 key");
  return PrivateKey(Own(key), "generated key");
}

PrivateKey PrivateKey::FromDer(std::string_view der, const std::string& source) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* key = d2i_AutoPrivateKey(nullptr, &p, long(der.size()));
  if (key == nullptr) throw Error(ErrorCode::kInvalidInput, source + ": the private key does not parse (PKCS#8, SEC1 or PKCS#1 DER expected)");
  return PrivateKey(Own(key), source);
}

PrivateKey PrivateKey::FromPem(std::string_view text, const std::string& source, const PasswordProvider& password) {
  auto block = ParseFirstPem(text);
  if (!block) {
    if (text.find("Proc-Type:") != std::string_view::npos) {
      throw Error(ErrorCode::kInvalidInput, source + ": legacy encrypted PEM is not supported; convert it with 'openssl pkcs8 -topk8'");
    }
    throw Error(ErrorCode::kInvalidInput, source + ": no PEM block found (expected a cosign key or a PEM private key)");
  }
  if (IsEncryptedKeyLabel(block->label)) {
    WipedString der = DecryptPrivateKey(block->body, password(), source);
    return FromDer(der.value(), source);
  }
  if (block->label == "PRIVATE KEY" || block->label == "EC PRIVATE KEY" || block->label == "RSA PRIVATE KEY") {
    WipedString der(std::move(block->body));
    return FromDer(der.value(), source);
  }
  if (block->label == "ENCRYPTED PRIVATE KEY") {
    SecretValue secret = password();
    BIO* bio = BIO_new_mem_buf(text.data(), int(text.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, PemPasswordCallback, const_cast<SecretValue*>(&secret));
    BIO_free(bio);
    if (key == nullptr) throw Error(ErrorCode::kAuth, source + ": wrong password (or the encrypted PKCS#8 key was altered)");
    return PrivateKey(Own(key), source);
  }
  if (block->label == "PUBLIC KEY") throw Error(ErrorCode::kInvalidInput, source + ": holds a public key; signing needs the private key");
  throw Error(ErrorCode::kInvalidInput, source + ": PEM block '" + block->label + "' is not a private key");
}

PublicKey PrivateKey::Public() const {
  // Round trip through DER so the public object holds no private material.
  std::string der = ToDer(i2d_PUBKEY, key_.get());
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, long(der.size()));
  if (key == nullptr) throw Error(ErrorCode::kFailure, "could not derive the public key");
  return PublicKey(Own(key));
}

WipedString PrivateKey::Pkcs8Der() const {
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(key_.get());
  if (info == nullptr) throw Error(ErrorCode::kFailure, "could not encode the private key as PKCS#8");
  unsigned char* buffer = nullptr;
  int length = i2d_PKCS8_PRIV_KEY_INFO(info, &buffer);
  PKCS8_PRIV_KEY_INFO_free(info);
  if (length <= 0) throw Error(ErrorCode::kFailure, "could not encode the private key as PKCS#8");
  WipedString der(std::string(reinterpret_cast<char*>(buffer), size_t(length)));
  OPENSSL_clear_free(buffer, size_t(length));
  return der;
}

std::string PrivateKey::EncryptedPem(const SecretValue& password, const ScryptParams& params) const {
  WipedString der = Pkcs8Der();
  return EncryptPrivateKey(der.value(), password, params);
}

std::string PrivateKey::Sign(std::string_view payload) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(type_), nullptr, key_.get()) != 1) {
    throw Error(ErrorCode::kFailure, "could not set up signing");
  }
  size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(payload.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &length, data, payload.size()) != 1) throw Error(ErrorCode::kFailure, "signing failed");
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data, payload.size()) != 1) {
    throw Error(ErrorCode::kFailure, "signing failed");
  }
  signature.resize(length);
  return signature;
}

}  // namespace berth::cosign
