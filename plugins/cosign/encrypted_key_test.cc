#include "encrypted_key.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "keys.h"
#include "pem.h"
#include "test_util.h"

namespace berth::cosign {
namespace {

using testing::ReadTestData;

const SecretValue kHello("hello");

ErrorCode CodeOf(const std::function<void()>& fn, std::string* message = nullptr) {
  try {
    fn();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return ErrorCode::kOk;
}

std::string BodyOf(const std::string& pem) { return ParseFirstPem(pem).value().body; }

// The three keys cosign wrote must open, and yield the public key that an
// independent implementation (python3-nacl + cryptography) derived.
class RealCosignKeyTest : public ::testing::TestWithParam<std::tuple<std::string, std::string, uint64_t>> {};

TEST_P(RealCosignKeyTest, LoadsWithPasswordHello) {
  auto [name, label, n] = GetParam();
  std::string pem = ReadTestData(name + ".key");
  auto block = ParseFirstPem(pem);
  ASSERT_TRUE(block);
  EXPECT_EQ(block->label, label);
  EXPECT_EQ(EnvelopeParams(block->body, name).n, n);
  PrivateKey key = PrivateKey::FromPem(pem, name, [] { return kHello; });
  EXPECT_EQ(key.Describe(), "ECDSA P-256");
  EXPECT_EQ(key.Public().Pem(), ReadTestData(name + ".pub"));
  std::string payload = "payload";
  EXPECT_TRUE(PublicKey::FromPem(ReadTestData(name + ".pub"), "pub").Verify(payload, key.Sign(payload)));
}

INSTANTIATE_TEST_SUITE_P(
    Keys, RealCosignKeyTest,
    ::testing::Values(std::make_tuple("cosign-ec", "ENCRYPTED COSIGN PRIVATE KEY", 65536),
                      std::make_tuple("cosign-rsa", "ENCRYPTED COSIGN PRIVATE KEY", 32768),
                      std::make_tuple("sigstore-ec", "ENCRYPTED SIGSTORE PRIVATE KEY", 32768)),
    [](const auto& info) {
      std::string name = std::get<0>(info.param);
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

TEST(EncryptedKeyTest, WrongPasswordIsAnAuthErrorNamingTheFile) {
  std::string message;
  std::string body = BodyOf(ReadTestData("sigstore-ec.key"));
  EXPECT_EQ(CodeOf([&] { DecryptPrivateKey(body, SecretValue("hellO"), "keys/sigstore-ec.key"); }, &message), ErrorCode::kAuth);
  EXPECT_EQ(message, "keys/sigstore-ec.key: wrong password (or the encrypted key was altered)");
  EXPECT_EQ(CodeOf([&] { DecryptPrivateKey(body, SecretValue(""), "k"); }), ErrorCode::kAuth);
}

TEST(EncryptedKeyTest, WritesCosignsExactEnvelope) {
  std::string pem = EncryptPrivateKey("plaintext", kHello);
  auto block = ParseFirstPem(pem);
  ASSERT_TRUE(block);
  EXPECT_EQ(block->label, "ENCRYPTED SIGSTORE PRIVATE KEY");
  std::regex shape(
      R"(\{"kdf":\{"name":"scrypt","params":\{"N":65536,"r":8,"p":1\},"salt":"[A-Za-z0-9+/=]{44}"\},)"
      R"("cipher":\{"name":"nacl/secretbox","nonce":"[A-Za-z0-9+/]{32}"\},"ciphertext":"[A-Za-z0-9+/=]+"\})");
  EXPECT_TRUE(std::regex_match(block->body, shape)) << block->body;
  auto json = nlohmann::json::parse(block->body);
  EXPECT_EQ(Base64Decode(json["kdf"]["salt"].get<std::string>())->size(), 32u);
  EXPECT_EQ(Base64Decode(json["cipher"]["nonce"].get<std::string>())->size(), 24u);
  EXPECT_EQ(Base64Decode(json["ciphertext"].get<std::string>())->size(), std::string("plaintext").size() + 16);
  EXPECT_EQ(DecryptPrivateKey(block->body, kHello, "k").value(), "plaintext");
  // A fresh salt and nonce every time.
  EXPECT_NE(BodyOf(EncryptPrivateKey("plaintext", kHello)), block->body);
}

TEST(EncryptedKeyTest, RoundTripsEveryAcceptedCostAndAnEmptyPassword) {
  for (uint64_t n : {32768u, 65536u, 131072u}) {
    std::string body = BodyOf(EncryptPrivateKey("secret bytes", SecretValue(""), {n, 8, 1}));
    EXPECT_EQ(EnvelopeParams(body, "k").n, n);
    EXPECT_EQ(DecryptPrivateKey(body, SecretValue(""), "k").value(), "secret bytes");
    if (n == 32768) {
      EXPECT_EQ(CodeOf([&] { DecryptPrivateKey(body, kHello, "k"); }), ErrorCode::kAuth);
    }
  }
}

TEST(EncryptedKeyTest, RefusesOtherScryptCosts) {
  std::string message;
  EXPECT_EQ(CodeOf([&] { EncryptPrivateKey("x", kHello, {16384, 8, 1}); }), ErrorCode::kInvalidInput);
  auto json = nlohmann::json::parse(BodyOf(EncryptPrivateKey("x", kHello)));
  json["kdf"]["params"]["N"] = 1048576;
  EXPECT_EQ(CodeOf([&] { DecryptPrivateKey(json.dump(), kHello, "big.key"); }, &message), ErrorCode::kInvalidInput);
  EXPECT_EQ(message,
            "big.key: not a valid encrypted cosign key: scrypt params N=1048576 r=8 p=1 are not ones cosign uses "
            "(N 32768, 65536 or 131072; r 8; p 1)");
  json["kdf"]["params"]["N"] = 65536;
  json["kdf"]["params"]["r"] = 4;
  EXPECT_EQ(CodeOf([&] { DecryptPrivateKey(json.dump(), kHello, "k"); }), ErrorCode::kInvalidInput);
}

TEST(EncryptedKeyTest, MalformedEnvelopesSayWhat) {
  const auto good = nlohmann::json::parse(BodyOf(EncryptPrivateKey("x", kHello, {32768, 8, 1})));
  auto expect = [&](const std::string& body, const std::string& what) {
    std::string message;
    EXPECT_EQ(CodeOf([&] { DecryptPrivateKey(body, kHello, "k.key"); }, &message), ErrorCode::kInvalidInput) << body;
    EXPECT_EQ(message, "k.key: not a valid encrypted cosign key: " + what);
  };
  expect("not json", "the PEM body is not JSON");
  auto json = good;
  json["kdf"]["name"] = "pbkdf2";
  expect(json.dump(), "unsupported kdf 'pbkdf2' (only scrypt)");
  json = good;
  json["cipher"]["name"] = "aes-gcm";
  expect(json.dump(), "unsupported cipher 'aes-gcm' (only nacl/secretbox)");
  json = good;
  json["cipher"]["nonce"] = Base64Encode("short");
  expect(json.dump(), "the nonce is not 24 bytes");
  json = good;
  json["ciphertext"] = "%%%";
  expect(json.dump(), "ciphertext is not valid base64");
  json = good;
  json["ciphertext"] = Base64Encode("0123456789");
  expect(json.dump(), "the ciphertext is too short");
  json = good;
  json["kdf"].erase("params");
  expect(json.dump(), "scrypt params N, r, p missing");
}

TEST(EncryptedKeyTest, AlteredCiphertextIsCaughtByTheMac) {
  auto json = nlohmann::json::parse(BodyOf(EncryptPrivateKey("some key bytes", kHello, {32768, 8, 1})));
  std::string ciphertext = *Base64Decode(json["ciphertext"].get<std::string>());
  ciphertext[ciphertext.size() - 1] ^= 1;
  json["ciphertext"] = Base64Encode(ciphertext);
  EXPECT_EQ(CodeOf([&] { DecryptPrivateKey(json.dump(), kHello, "k"); }), ErrorCode::kAuth);
}

}  // namespace
}  // namespace berth::cosign
