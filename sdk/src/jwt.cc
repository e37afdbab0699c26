#include "berth/util/jwt.h"
#include "berth/util/time.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <ctime>

#include "berth/error.h"
#include "berth/util/base64.h"

namespace berth::jwt {
namespace {

constexpr std::array<Algorithm, 9> kAsymmetric = {Algorithm::kRS256, Algorithm::kRS384, Algorithm::kRS512,
                                                  Algorithm::kPS256, Algorithm::kPS384, Algorithm::kPS512,
                                                  Algorithm::kES256, Algorithm::kES384, Algorithm::kES512};
constexpr int kMinimumRsaBits = 2048;  // What jose and RFC 7518 section 3.3 require.

enum class Family { kRsa, kRsaPss, kEc };

Family FamilyOf(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kRS256:
    case Algorithm::kRS384:
    case Algorithm::kRS512:
      return Family::kRsa;
    case Algorithm::kPS256:
    case Algorithm::kPS384:
    case Algorithm::kPS512:
      return Family::kRsaPss;
    default:
      return Family::kEc;
  }
}

const EVP_MD* DigestOf(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kRS256:
    case Algorithm::kPS256:
    case Algorithm::kES256:
      return EVP_sha256();
    case Algorithm::kRS384:
    case Algorithm::kPS384:
    case Algorithm::kES384:
      return EVP_sha384();
    default:
      return EVP_sha512();
  }
}

// The curve an ES algorithm requires, by OpenSSL's group name.
const char* CurveOf(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kES256:
      return "prime256v1";
    case Algorithm::kES384:
      return "secp384r1";
    case Algorithm::kES512:
      return "secp521r1";
    default:
      return "";
  }
}

// Bytes of R (and of S) in a JWS ECDSA signature.
size_t CoordinateSize(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kES256:
      return 32;
    case Algorithm::kES384:
      return 48;
    default:
      return 66;
  }
}

std::string OpenSslReason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof(buffer));
  return buffer;
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct MdContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using MdContextPtr = std::unique_ptr<EVP_MD_CTX, MdContextDeleter>;

std::shared_ptr<evp_pkey_st> Own(EVP_PKEY* key) { return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free); }

BioPtr ReadBio(std::string_view data) { return BioPtr(BIO_new_mem_buf(data.data(), int(data.size()))); }

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, size_t(size));
}

// The label of the first PEM block ("PRIVATE KEY"), or "".
std::string PemLabel(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  size_t start = pem.find(kBegin);
  if (start == std::string_view::npos) return "";
  start += kBegin.size();
  size_t end = pem.find("-----", start);
  if (end == std::string_view::npos) return "";
  return std::string(pem.substr(start, end - start));
}

// Never prompts: an encrypted key fails instead of reading the terminal.
int NoPassword(char*, int, int, void*) { return -1; }

std::string GroupName(EVP_PKEY* key) {
  char name[64] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &length) != 1) return "";
  return std::string(name, length);
}

bool KeySupports(EVP_PKEY* key, Algorithm algorithm) {
  int type = EVP_PKEY_get_base_id(key);
  switch (FamilyOf(algorithm)) {
    case Family::kRsa:
    case Family::kRsaPss:
      return type == EVP_PKEY_RSA && EVP_PKEY_get_bits(key) >= kMinimumRsaBits;
    case Family::kEc:
      return type == EVP_PKEY_EC && GroupName(key) == CurveOf(algorithm);
  }
  return false;
}

std::string KeyDescription(EVP_PKEY* key) {
  int type = EVP_PKEY_get_base_id(key);
  if (type == EVP_PKEY_RSA) return "an RSA " + std::to_string(EVP_PKEY_get_bits(key)) + "-bit key";
  if (type == EVP_PKEY_EC) return "an EC " + GroupName(key) + " key";
  return std::string("a ") + OBJ_nid2sn(type) + " key";
}

void ConfigurePadding(EVP_PKEY_CTX* context, Algorithm algorithm) {
  if (FamilyOf(algorithm) != Family::kRsaPss) return;
  if (EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(context, RSA_PSS_SALTLEN_DIGEST) != 1) {
    throw Error("cannot set RSA-PSS padding: " + OpenSslReason());
  }
}

std::string EcdsaDerToRaw(std::string_view der, Algorithm algorithm) {
  const auto* data = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* signature = d2i_ECDSA_SIG(nullptr, &data, long(der.size()));
  if (signature == nullptr) throw Error("OpenSSL returned a malformed ECDSA signature");
  size_t size = CoordinateSize(algorithm);
  std::string raw(size * 2, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(signature), out, int(size)) == int(size) &&
            BN_bn2binpad(ECDSA_SIG_get0_s(signature), out + size, int(size)) == int(size);
  ECDSA_SIG_free(signature);
  if (!ok) throw Error("cannot encode the ECDSA signature");
  return raw;
}

// nullopt when the raw signature has the wrong size for the algorithm.
std::optional<std::string> EcdsaRawToDer(std::string_view raw, Algorithm algorithm) {
  size_t size = CoordinateSize(algorithm);
  if (raw.size() != size * 2) return std::nullopt;
  const auto* data = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* signature = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(data, int(size), nullptr);
  BIGNUM* s = BN_bin2bn(data + size, int(size), nullptr);
  if (signature == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(signature, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(signature);
    throw Error("out of memory decoding an ECDSA signature");
  }
  int length = i2d_ECDSA_SIG(signature, nullptr);
  std::string der(size_t(std::max(length, 0)), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_ECDSA_SIG(signature, &out);
  ECDSA_SIG_free(signature);
  return der;
}

bool IsBase64UrlText(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

nlohmann::json DecodeJsonPart(std::string_view part, const char* what) {
  if (part.empty() || !IsBase64UrlText(part)) throw Error(ErrorCode::kVerification, std::string("malformed JWT: the ") + what + " is not base64url");
  auto bytes = Base64Decode(part);
  if (!bytes) throw Error(ErrorCode::kVerification, std::string("malformed JWT: the ") + what + " is not base64url");
  nlohmann::json json = nlohmann::json::parse(*bytes, nullptr, false);
  if (!json.is_object()) throw Error(ErrorCode::kVerification, std::string("malformed JWT: the ") + what + " is not a JSON object");
  return json;
}

// NumericDates past 9999-12-31T23:59:59Z (or before 1970) are refused: with
// every claim inside [0, kMaxNumericDate], the arithmetic below (exp - iat,
// exp + leeway) cannot overflow int64. Without this bound an iat near
// INT64_MIN made exp - iat wrap to a negative lifetime, and a token valid
// until the year 3000 passed the lifetime rule.
constexpr int64_t kMaxNumericDate = 253402300799;

// A NumericDate claim, or nullopt when absent. Throws when it is not a
// number or out of range.
std::optional<int64_t> TimeClaim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number()) throw Error(ErrorCode::kVerification, std::string("claim '") + name + "' is not a number");
  auto out_of_range = [&] {
    return Error(ErrorCode::kVerification, std::string("claim '") + name + "' (" + it->dump() + ") is not a date between 1970 and 9999");
  };
  if (it->is_number_float()) {
    double value = it->get<double>();  // Compared as a double first: converting one out of range is undefined.
    if (!(value >= 0 && value <= double(kMaxNumericDate))) throw out_of_range();
    return int64_t(value);
  }
  if (it->is_number_unsigned()) {
    uint64_t value = it->get<uint64_t>();
    if (value > uint64_t(kMaxNumericDate)) throw out_of_range();
    return int64_t(value);
  }
  int64_t value = it->get<int64_t>();
  if (value < 0 || value > kMaxNumericDate) throw out_of_range();
  return value;
}

}  // namespace

const char* AlgorithmName(Algorithm algorithm) noexcept {
  switch (algorithm) {
    case Algorithm::kRS256: return "RS256";
    case Algorithm::kRS384: return "RS384";
    case Algorithm::kRS512: return "RS512";
    case Algorithm::kPS256: return "PS256";
    case Algorithm::kPS384: return "PS384";
    case Algorithm::kPS512: return "PS512";
    case Algorithm::kES256: return "ES256";
    case Algorithm::kES384: return "ES384";
    case Algorithm::kES512: return "ES512";
  }
  return "?";
}

std::optional<Algorithm> ParseAlgorithm(std::string_view name) noexcept {
  for (Algorithm algorithm : kAsymmetric) {
    if (name == AlgorithmName(algorithm)) return algorithm;
  }
  return std::nullopt;
}

std::span<const Algorithm> AsymmetricAlgorithms() noexcept { return kAsymmetric; }

PublicKey PublicKey::FromPem(std::string_view pem, std::string_view source) {
  std::string label = PemLabel(pem);
  BioPtr bio = ReadBio(pem);
  EVP_PKEY* key = nullptr;
  if (label == "PUBLIC KEY") {
    key = PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassword, nullptr);
  } else if (label == "RSA PUBLIC KEY") {
    // PKCS#1: go through the generic decoder, the RSA-specific reader is deprecated in OpenSSL 3.
    OSSL_DECODER_CTX* decoder = OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", "type-specific", "RSA", EVP_PKEY_PUBLIC_KEY,
                                                              nullptr, nullptr);
    if (decoder != nullptr) OSSL_DECODER_from_bio(decoder, bio.get());
    OSSL_DECODER_CTX_free(decoder);
  } else if (label == "CERTIFICATE") {
    X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr);
    if (certificate != nullptr) key = X509_get_pubkey(certificate);
    X509_free(certificate);
  } else {
    throw Error(ErrorCode::kInvalidInput, std::string(source) + ": not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
  }
  if (key == nullptr) throw Error(ErrorCode::kInvalidInput, std::string(source) + ": cannot read the public key: " + OpenSslReason());
  return PublicKey(Own(key));
}

std::string PublicKey::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) throw Error("cannot write a public key: " + OpenSslReason());
  return BioContents(bio.get());
}

bool PublicKey::Supports(Algorithm algorithm) const { return KeySupports(key_.get(), algorithm); }

PrivateKey PrivateKey::FromPem(std::string_view pem, std::string_view source) {
  std::string label = PemLabel(pem);
  if (label.find("ENCRYPTED") != std::string::npos) {
    throw Error(ErrorCode::kInvalidInput, std::string(source) + ": the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)");
  }
  if (label != "PRIVATE KEY" && label != "RSA PRIVATE KEY" && label != "EC PRIVATE KEY") {
    throw Error(ErrorCode::kInvalidInput, std::string(source) + ": not a PEM private key (expected -----BEGIN PRIVATE KEY-----)");
  }
  BioPtr bio = ReadBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr);
  if (key == nullptr) throw Error(ErrorCode::kInvalidInput, std::string(source) + ": cannot read the private key: " + OpenSslReason());
  return PrivateKey(Own(key));
}

PrivateKey PrivateKey::FromPkcs8Der(std::string_view der, std::string_view source) {
  const auto* data = reinterpret_cast<const unsigned char*>(der.data());
  PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &data, long(der.size()));
  EVP_PKEY* key = info != nullptr ? EVP_PKCS82PKEY(info) : nullptr;
  PKCS8_PRIV_KEY_INFO_free(info);
  if (key == nullptr) throw Error(ErrorCode::kInvalidInput, std::string(source) + ": not a PKCS#8 private key: " + OpenSslReason());
  return PrivateKey(Own(key));
}

PrivateKey PrivateKey::GenerateRsa(int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (key == nullptr) throw Error("cannot generate an RSA key: " + OpenSslReason());
  return PrivateKey(Own(key));
}

PrivateKey PrivateKey::GenerateEc(Algorithm algorithm) {
  if (FamilyOf(algorithm) != Family::kEc) throw Error(ErrorCode::kUsage, std::string(AlgorithmName(algorithm)) + " is not an EC algorithm");
  EVP_PKEY* key = EVP_EC_gen(CurveOf(algorithm));
  if (key == nullptr) throw Error("cannot generate an EC key: " + OpenSslReason());
  return PrivateKey(Own(key));
}

SecretValue PrivateKey::Pkcs8Pem() const {
  // A secure-memory BIO: its buffer is wiped when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw Error("cannot write a private key: " + OpenSslReason());
  }
  return SecretValue(BioContents(bio.get()));
}

SecretValue PrivateKey::Pkcs8Der() const {
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(key_.get());
  if (info == nullptr) throw Error("cannot encode a private key: " + OpenSslReason());
  unsigned char* der = nullptr;
  int length = i2d_PKCS8_PRIV_KEY_INFO(info, &der);
  PKCS8_PRIV_KEY_INFO_free(info);
  if (length <= 0) throw Error("cannot encode a private key: " + OpenSslReason());
  SecretValue value(std::string(reinterpret_cast<char*>(der), size_t(length)));
  OPENSSL_clear_free(der, size_t(length));
  return value;
}

PublicKey PrivateKey::Public() const {
  // Through SPKI DER, so the public object holds no private material.
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key_.get(), &der);
  if (length <= 0) throw Error("cannot derive a public key: " + OpenSslReason());
  const unsigned char* data = der;
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &data, length);
  OPENSSL_free(der);
  if (key == nullptr) throw Error("cannot derive a public key: " + OpenSslReason());
  return PublicKey(Own(key));
}

Algorithm PrivateKey::DefaultAlgorithm() const {
  if (EVP_PKEY_get_base_id(key_.get()) == EVP_PKEY_RSA) return Algorithm::kRS256;
  for (Algorithm algorithm : {Algorithm::kES256, Algorithm::kES384, Algorithm::kES512}) {
    if (KeySupports(key_.get(), algorithm)) return algorithm;
  }
  throw Error(ErrorCode::kInvalidInput, KeyDescription(key_.get()) + " cannot sign JWTs (use RSA or EC P-256/384/521)");
}

bool PrivateKey::Supports(Algorithm algorithm) const { return KeySupports(key_.get(), algorithm); }

std::optional<std::string> Pkcs8DataUri::Parameter(std::string_view name) const {
  for (const auto& [key, value] : parameters) {
    if (key == name) return value;
  }
  return std::nullopt;
}

bool IsDataUri(std::string_view text) { return text.rfind("data:", 0) == 0; }

Pkcs8DataUri ParsePkcs8DataUri(std::string_view text, std::string_view source) {
  auto fail = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidInput, std::string(source) + ": " + why + " (expected data:application/pkcs8;kid=...;base64,...)");
  };
  constexpr std::string_view kPrefix = "data:application/pkcs8";
  if (text.rfind(kPrefix, 0) != 0) throw fail("not a PKCS#8 data URI");
  size_t comma = text.find(',');
  if (comma == std::string_view::npos) throw fail("the data URI has no data");
  std::string_view meta = text.substr(kPrefix.size(), comma - kPrefix.size());
  std::string_view data = text.substr(comma + 1);
  Pkcs8DataUri uri;
  bool base64 = false;
  while (!meta.empty()) {
    if (meta[0] != ';') throw fail("the data URI's parameters are malformed");
    meta.remove_prefix(1);
    size_t end = meta.find(';');
    std::string_view parameter = meta.substr(0, end);
    meta = end == std::string_view::npos ? std::string_view() : meta.substr(end);
    if (parameter == "base64") {
      base64 = true;
      continue;
    }
    size_t equals = parameter.find('=');
    if (equals == std::string_view::npos) throw fail("the data URI parameter '" + std::string(parameter) + "' has no value");
    auto value = PercentDecode(parameter.substr(equals + 1));
    if (!value) throw fail("the data URI parameter '" + std::string(parameter.substr(0, equals)) + "' is badly percent-encoded");
    uri.parameters.emplace_back(std::string(parameter.substr(0, equals)), *value);
  }
  if (!base64) throw fail("the data URI is not base64");
  std::string trimmed;
  trimmed.reserve(data.size());
  for (char c : data) {
    if (c != '\n' && c != '\r' && c != ' ') trimmed += c;
  }
  auto der = Base64Decode(trimmed);
  OPENSSL_cleanse(trimmed.data(), trimmed.size());
  if (!der || der->empty()) throw fail("the data URI's base64 is malformed");
  uri.der = SecretValue(std::move(*der));
  return uri;
}

SecretValue MakePkcs8DataUri(const PrivateKey& key, const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::string uri = "data:application/pkcs8";
  for (const auto& [name, value] : parameters) uri += ";" + name + "=" + PercentEncode(value);
  SecretValue der = key.Pkcs8Der();
  uri += ";base64," + Base64Encode(der.Reveal());
  SecretValue result(std::move(uri));
  return result;
}

PrivateKey LoadPrivateKey(std::string_view text, std::string_view source) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (IsDataUri(text)) {
    Pkcs8DataUri uri = ParsePkcs8DataUri(text, source);
    return PrivateKey::FromPkcs8Der(uri.der.Reveal(), source);
  }
  if (text.find("-----BEGIN") == std::string_view::npos) {
    throw Error(ErrorCode::kInvalidInput, std::string(source) + ": neither a PEM private key nor a data:application/pkcs8 URI");
  }
  if (text.find('\n') == std::string_view::npos && text.find("\\n") != std::string_view::npos) {
    // A PEM whose newlines were escaped to fit one line of an .env file.
    std::string unescaped;
    unescaped.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
        unescaped += '\n';
        ++i;
      } else {
        unescaped += text[i];
      }
    }
    PrivateKey key = PrivateKey::FromPem(unescaped, source);
    OPENSSL_cleanse(unescaped.data(), unescaped.size());
    return key;
  }
  return PrivateKey::FromPem(text, source);
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '.' || c == '_' || c == '-') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex(text[i + 1]);
    int low = hex(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += char(high * 16 + low);
    i += 2;
  }
  return out;
}

std::string Sign(nlohmann::json header, const nlohmann::json& claims, const PrivateKey& key, Algorithm algorithm) {
  if (!key.Supports(algorithm)) {
    throw Error(ErrorCode::kInvalidInput, std::string("cannot sign ") + AlgorithmName(algorithm) + " with " + KeyDescription(key.native()));
  }
  if (!claims.is_object()) throw Error(ErrorCode::kInvalidInput, "JWT claims must be a JSON object");
  header["alg"] = AlgorithmName(algorithm);
  if (!header.contains("typ")) header["typ"] = "JWT";
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());

  MdContextPtr context(EVP_MD_CTX_new());
  EVP_PKEY_CTX* key_context = nullptr;
  if (!context || EVP_DigestSignInit(context.get(), &key_context, DigestOf(algorithm), nullptr, key.native()) != 1) {
    throw Error("cannot start a signature: " + OpenSslReason());
  }
  ConfigurePadding(key_context, algorithm);
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  // Every signature of this key fits in EVP_PKEY_get_size bytes.
  size_t length = size_t(EVP_PKEY_get_size(key.native()));
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data, input.size()) != 1) {
    throw Error("cannot sign: " + OpenSslReason());
  }
  signature.resize(length);
  if (FamilyOf(algorithm) == Family::kEc) signature = EcdsaDerToRaw(signature, algorithm);
  return input + "." + Base64UrlEncode(signature);
}

DecodedToken Decode(std::string_view token) {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    throw Error(ErrorCode::kVerification, "malformed JWT: expected three dot-separated parts");
  }
  DecodedToken decoded;
  decoded.header = DecodeJsonPart(token.substr(0, first), "header");
  decoded.claims = DecodeJsonPart(token.substr(first + 1, second - first - 1), "claims");
  decoded.signing_input = std::string(token.substr(0, second));
  std::string_view signature = token.substr(second + 1);
  auto bytes = IsBase64UrlText(signature) ? Base64Decode(signature) : std::nullopt;
  if (!bytes || bytes->empty()) throw Error(ErrorCode::kVerification, "malformed JWT: the signature is missing or not base64url");
  decoded.signature = std::move(*bytes);
  return decoded;
}

void VerifySignature(const DecodedToken& token, const PublicKey& key, std::span<const Algorithm> allowed) {
  auto alg = token.header.find("alg");
  if (alg == token.header.end() || !alg->is_string()) throw Error(ErrorCode::kVerification, "the token header has no alg");
  std::string name = alg->get<std::string>();
  std::optional<Algorithm> algorithm = ParseAlgorithm(name);
  if (!algorithm || std::find(allowed.begin(), allowed.end(), *algorithm) == allowed.end()) {
    std::string list;
    for (Algorithm a : allowed) list += (list.empty() ? "" : ", ") + std::string(AlgorithmName(a));
    throw Error(ErrorCode::kVerification, "algorithm '" + name + "' is not allowed (allowed: " + list + ")");
  }
  if (!key.Supports(*algorithm)) {
    throw Error(ErrorCode::kVerification, "the token says " + name + " but the public key is " + KeyDescription(key.native()));
  }
  std::string signature = token.signature;
  if (FamilyOf(*algorithm) == Family::kEc) {
    auto der = EcdsaRawToDer(signature, *algorithm);
    if (!der) throw Error(ErrorCode::kVerification, "the signature does not verify (wrong length for " + name + ")");
    signature = std::move(*der);
  }
  MdContextPtr context(EVP_MD_CTX_new());
  EVP_PKEY_CTX* key_context = nullptr;
  if (!context || EVP_DigestVerifyInit(context.get(), &key_context, DigestOf(*algorithm), nullptr, key.native()) != 1) {
    throw Error("cannot start a signature check: " + OpenSslReason());
  }
  ConfigurePadding(key_context, *algorithm);
  int result = EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                reinterpret_cast<const unsigned char*>(token.signing_input.data()), token.signing_input.size());
  ERR_clear_error();
  if (result != 1) throw Error(ErrorCode::kVerification, "the signature does not verify with the public key");
}

void CheckClaims(const nlohmann::json& claims, const ClaimRules& rules) {
  for (const std::string& name : rules.required) {
    if (!claims.contains(name)) throw Error(ErrorCode::kVerification, "claim '" + name + "' is missing");
  }
  std::optional<int64_t> exp = TimeClaim(claims, "exp");
  std::optional<int64_t> iat = TimeClaim(claims, "iat");
  std::optional<int64_t> nbf = TimeClaim(claims, "nbf");
  if (exp && iat && *exp < *iat) throw Error(ErrorCode::kVerification, "exp (" + FormatTime(*exp) + ") is before iat (" + FormatTime(*iat) + ")");
  if (nbf && exp && *nbf > *exp) throw Error(ErrorCode::kVerification, "nbf (" + FormatTime(*nbf) + ") is after exp (" + FormatTime(*exp) + ")");
  if (rules.max_lifetime && exp && iat && *exp - *iat > *rules.max_lifetime) {
    throw Error(ErrorCode::kVerification, "lifetime " + std::to_string(*exp - *iat) + " s (exp - iat) is over the maximum of " +
                                              std::to_string(*rules.max_lifetime) + " s");
  }
  if (exp && *exp + rules.leeway < rules.now) {
    throw Error(ErrorCode::kVerification, "the token expired at " + FormatTime(*exp) + " (" + std::to_string(rules.now - *exp) + " s ago)");
  }
  if (nbf && *nbf - rules.leeway > rules.now) {
    throw Error(ErrorCode::kVerification, "the token is not valid before " + FormatTime(*nbf));
  }
  if (iat && *iat - rules.leeway > rules.now) {
    throw Error(ErrorCode::kVerification, "the token was issued in the future (iat " + FormatTime(*iat) + ")");
  }
  if (rules.audience) {
    auto aud = claims.find("aud");
    bool found = false;
    if (aud != claims.end() && aud->is_string()) found = *aud == *rules.audience;
    if (aud != claims.end() && aud->is_array()) {
      for (const auto& entry : *aud) found |= entry.is_string() && entry == *rules.audience;
    }
    if (!found) {
      std::string shown = aud == claims.end() ? "none" : aud->dump();
      throw Error(ErrorCode::kVerification, "audience " + shown + " does not include '" + *rules.audience + "'");
    }
  }
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string FormatTime(int64_t seconds) { return FormatRfc3339(seconds); }

std::string NewTokenId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) throw Error("the system random generator failed: " + OpenSslReason());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  for (unsigned char byte : bytes) {
    id += kHex[byte >> 4];
    id += kHex[byte & 15];
  }
  return id;
}

}  // namespace berth::jwt
