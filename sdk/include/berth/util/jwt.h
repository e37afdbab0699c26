// JSON Web Tokens (RFC 7519) signed with asymmetric JWS algorithms (RFC 7515,
// RFC 7518): RS256/384/512, PS256/384/512 and ES256/384/512 through OpenSSL 3.
//
// General on purpose: ASAP tokens, Google service-account assertions (RFC 7523)
// and registry bearer tokens are all built from these pieces. Symmetric
// algorithms (HS*) and "none" are deliberately absent: nothing berth talks to
// needs them, and accepting them is the classic JWT verification bug.
#ifndef BERTH_UTIL_JWT_H_
#define BERTH_UTIL_JWT_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "berth/secret.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of the public headers.

namespace berth::jwt {

enum class Algorithm { kRS256, kRS384, kRS512, kPS256, kPS384, kPS512, kES256, kES384, kES512 };

const char* AlgorithmName(Algorithm algorithm) noexcept;
std::optional<Algorithm> ParseAlgorithm(std::string_view name) noexcept;
// Every algorithm above, the default list a verifier accepts.
std::span<const Algorithm> AsymmetricAlgorithms() noexcept;

class PublicKey {
 public:
  // PEM "PUBLIC KEY" (SPKI), "RSA PUBLIC KEY" (PKCS#1) or "CERTIFICATE" (its
  // key). Throws Error(kInvalidInput) naming `source`.
  static PublicKey FromPem(std::string_view pem, std::string_view source);
  std::string Pem() const;  // SPKI PEM.
  bool Supports(Algorithm algorithm) const;
  evp_pkey_st* native() const { return key_.get(); }

 private:
  friend class PrivateKey;
  explicit PublicKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

// RSA or EC (P-256, P-384, P-521) private key. Copies share one OpenSSL key,
// which OpenSSL 3 allows to sign from several threads at once.
class PrivateKey {
 public:
  // Unencrypted PEM: "PRIVATE KEY" (PKCS#8), "RSA PRIVATE KEY" or "EC PRIVATE
  // KEY". Throws Error(kInvalidInput) naming `source`, never quoting the key.
  static PrivateKey FromPem(std::string_view pem, std::string_view source);
  static PrivateKey FromPkcs8Der(std::string_view der, std::string_view source);
  static PrivateKey GenerateRsa(int bits = 2048);
  static PrivateKey GenerateEc(Algorithm algorithm = Algorithm::kES256);  // The curve ES256/384/512 uses.

  SecretValue Pkcs8Pem() const;
  SecretValue Pkcs8Der() const;
  PublicKey Public() const;
  // RS256 for RSA, ES256/384/512 for the matching curve.
  Algorithm DefaultAlgorithm() const;
  bool Supports(Algorithm algorithm) const;
  evp_pkey_st* native() const { return key_.get(); }

 private:
  explicit PrivateKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

// A PKCS#8 key as a data URI, the form ASAP uses in ASAP_PRIVATE_KEY:
//   data:application/pkcs8;kid=<percent-encoded>;base64,<PKCS#8 DER>
struct Pkcs8DataUri {
  std::vector<std::pair<std::string, std::string>> parameters;  // Decoded, in order.
  SecretValue der;
  std::optional<std::string> Parameter(std::string_view name) const;
};
bool IsDataUri(std::string_view text);
// Throws Error(kInvalidInput) naming `source` for anything else.
Pkcs8DataUri ParsePkcs8DataUri(std::string_view text, std::string_view source);
SecretValue MakePkcs8DataUri(const PrivateKey& key, const std::vector<std::pair<std::string, std::string>>& parameters);

// A private key the way people hand them over: PEM, PEM whose newlines were
// escaped as "\n" (.env files), or a PKCS#8 data URI. Throws
// Error(kInvalidInput) naming `source`.
PrivateKey LoadPrivateKey(std::string_view text, std::string_view source);

// Percent-encodes everything but [A-Za-z0-9._-] (so '+' and '/' survive both
// URL decoders and form decoders).
std::string PercentEncode(std::string_view text);
std::optional<std::string> PercentDecode(std::string_view text);

// header gets "alg" (and "typ": "JWT" unless set). Throws Error(kInvalidInput)
// when the key cannot make `algorithm`.
std::string Sign(nlohmann::json header, const nlohmann::json& claims, const PrivateKey& key, Algorithm algorithm);

struct DecodedToken {
  nlohmann::json header;
  nlohmann::json claims;
  std::string signing_input;  // "<header b64>.<claims b64>"
  std::string signature;      // Raw bytes (R||S for ES*).
};
// Splits and decodes without checking anything but the shape. Throws
// Error(kVerification, "malformed JWT: ...").
DecodedToken Decode(std::string_view token);

// Checks the signature under the header's "alg", which must be one of
// `allowed` and fit the key. Throws Error(kVerification) saying which failed.
void VerifySignature(const DecodedToken& token, const PublicKey& key,
                     std::span<const Algorithm> allowed = AsymmetricAlgorithms());

// The registered time and audience claims, checked the way RFC 7519 says.
struct ClaimRules {
  int64_t now = 0;  // Seconds since the epoch.
  int64_t leeway = 0;
  std::vector<std::string> required;              // Claims that must be present.
  std::optional<std::string> audience;            // Must be "aud" or one of its entries.
  std::optional<int64_t> max_lifetime;            // exp - iat, seconds.
};
// Throws Error(kVerification) with one message per broken rule.
void CheckClaims(const nlohmann::json& claims, const ClaimRules& rules);

int64_t NowSeconds();
// "2024-05-01T12:00:00Z".
std::string FormatTime(int64_t seconds);
// 32 lowercase hex digits from the system CSPRNG, for "jti".
std::string NewTokenId();

}  // namespace berth::jwt

#endif  // BERTH_UTIL_JWT_H_
