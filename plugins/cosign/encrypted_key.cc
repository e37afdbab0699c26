#include "encrypted_key.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <sodium.h>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "pem.h"

namespace berth::cosign {
namespace {

constexpr size_t kSaltSize = 32;
constexpr size_t kKeySize = crypto_secretbox_KEYBYTES;      // 32
constexpr size_t kNonceSize = crypto_secretbox_NONCEBYTES;  // 24
constexpr size_t kMacSize = crypto_secretbox_MACBYTES;      // 16

void InitSodium() {
  // Idempotent and thread safe; fails only when no entropy source exists.
  if (sodium_init() < 0) throw Error(ErrorCode::kFailure, "libsodium failed to initialise");
}

WipedString Scrypt(const SecretValue& password, std::string_view salt, const ScryptParams& params) {
  WipedString key(std::string(kKeySize, '\0'));
  // 128 * r * N bytes of working memory, plus slack; OpenSSL refuses to use
  // more than maxmem (32 MiB by default, too little for N = 65536).
  uint64_t maxmem = 128ull * params.r * (params.n + params.p + 2) + (1u << 20);
  const std::string& pass = password.Reveal();
  if (EVP_PBE_scrypt(pass.data(), pass.size(), reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                     params.n, params.r, params.p, maxmem, reinterpret_cast<unsigned char*>(key.value().data()),
                     kKeySize) != 1) {
    throw Error(ErrorCode::kFailure, "scrypt key derivation failed (N=" + std::to_string(params.n) + ")");
  }
  return key;
}

std::string RandomBytes(size_t size) {
  std::string bytes(size, '\0');
  randombytes_buf(bytes.data(), size);
  return bytes;
}

Error Malformed(const std::string& source, const std::string& what) {
  return Error(ErrorCode::kInvalidInput, source + ": not a valid encrypted cosign key: " + what);
}

struct Envelope {
  ScryptParams params;
  std::string salt;
  std::string nonce;
  std::string ciphertext;
};

std::string DecodeField(const nlohmann::json& value, const std::string& source, const std::string& field) {
  if (!value.is_string()) throw Malformed(source, field + " is not a base64 string");
  auto decoded = Base64Decode(value.get<std::string>());
  if (!decoded) throw Malformed(source, field + " is not valid base64");
  return *decoded;
}

Envelope ParseEnvelope(std::string_view body, const std::string& source) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) throw Malformed(source, "the PEM body is not JSON");
  const nlohmann::json& kdf = json.value("kdf", nlohmann::json());
  const nlohmann::json& cipher = json.value("cipher", nlohmann::json());
  if (!kdf.is_object() || !cipher.is_object()) throw Malformed(source, "missing kdf or cipher");
  if (kdf.value("name", "") != "scrypt") throw Malformed(source, "unsupported kdf '" + kdf.value("name", "") + "' (only scrypt)");
  if (cipher.value("name", "") != "nacl/secretbox") {
    throw Malformed(source, "unsupported cipher '" + cipher.value("name", "") + "' (only nacl/secretbox)");
  }
  const nlohmann::json& params = kdf.value("params", nlohmann::json());
  if (!params.is_object() || !params.value("N", nlohmann::json()).is_number_unsigned() ||
      !params.value("r", nlohmann::json()).is_number_unsigned() || !params.value("p", nlohmann::json()).is_number_unsigned()) {
    throw Malformed(source, "scrypt params N, r, p missing");
  }
  Envelope envelope;
  envelope.params = {params["N"].get<uint64_t>(), params["r"].get<uint32_t>(), params["p"].get<uint32_t>()};
  if (!IsAcceptedScryptParams(envelope.params)) {
    throw Malformed(source, "scrypt params N=" + std::to_string(envelope.params.n) + " r=" + std::to_string(envelope.params.r) +
                                " p=" + std::to_string(envelope.params.p) + " are not ones cosign uses (N 32768, 65536 or 131072; r 8; p 1)");
  }
  envelope.salt = DecodeField(kdf.value("salt", nlohmann::json()), source, "kdf.salt");
  if (envelope.salt.empty()) throw Malformed(source, "empty salt");
  envelope.nonce = DecodeField(cipher.value("nonce", nlohmann::json()), source, "cipher.nonce");
  if (envelope.nonce.size() != kNonceSize) throw Malformed(source, "the nonce is not 24 bytes");
  envelope.ciphertext = DecodeField(json.value("ciphertext", nlohmann::json()), source, "ciphertext");
  if (envelope.ciphertext.size() <= kMacSize) throw Malformed(source, "the ciphertext is too short");
  return envelope;
}

}  // namespace

bool IsEncryptedKeyLabel(std::string_view label) { return label == kSigstoreKeyLabel || label == kCosignKeyLabel; }

bool IsAcceptedScryptParams(const ScryptParams& params) {
  return (params.n == 32768 || params.n == 65536 || params.n == 131072) && params.r == 8 && params.p == 1;
}

std::string EncryptPrivateKey(std::string_view plaintext, const SecretValue& password, const ScryptParams& params) {
  if (!IsAcceptedScryptParams(params)) throw Error(ErrorCode::kInvalidInput, "scrypt N must be 32768, 65536 or 131072 with r=8, p=1");
  InitSodium();
  std::string salt = RandomBytes(kSaltSize);
  std::string nonce = RandomBytes(kNonceSize);
  WipedString key = Scrypt(password, salt, params);
  std::string ciphertext(plaintext.size() + kMacSize, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(ciphertext.data()), reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), reinterpret_cast<const unsigned char*>(nonce.data()),
                        reinterpret_cast<const unsigned char*>(key.value().data()));
  // Field order and spelling as Go's encoding/json writes cosign's struct;
  // base64 never needs JSON escaping.
  std::string json = R"({"kdf":{"name":"scrypt","params":{"N":)" + std::to_string(params.n) + R"(,"r":)" + std::to_string(params.r) +
                     R"(,"p":)" + std::to_string(params.p) + R"(},"salt":")" + Base64Encode(salt) +
                     R"("},"cipher":{"name":"nacl/secretbox","nonce":")" + Base64Encode(nonce) + R"("},"ciphertext":")" +
                     Base64Encode(ciphertext) + R"("})";
  return EncodePem(kSigstoreKeyLabel, json);
}

WipedString DecryptPrivateKey(std::string_view body, const SecretValue& password, const std::string& source) {
  InitSodium();
  Envelope envelope = ParseEnvelope(body, source);
  WipedString key = Scrypt(password, envelope.salt, envelope.params);
  WipedString plaintext(std::string(envelope.ciphertext.size() - kMacSize, '\0'));
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.value().data()),
                                 reinterpret_cast<const unsigned char*>(envelope.ciphertext.data()), envelope.ciphertext.size(),
                                 reinterpret_cast<const unsigned char*>(envelope.nonce.data()),
                                 reinterpret_cast<const unsigned char*>(key.value().data())) != 0) {
    throw Error(ErrorCode::kAuth, source + ": wrong password (or the encrypted key was altered)");
  }
  return plaintext;
}

ScryptParams EnvelopeParams(std::string_view body, const std::string& source) { return ParseEnvelope(body, source).params; }

}  // namespace berth::cosign
