#include "keys.h"

#include <gtest/gtest.h>
#include <openssl/ecdsa.h>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "pem.h"
#include "test_util.h"

namespace berth::cosign {
namespace {

using testing::ReadTestData;

ErrorCode KeyCodeOf(const std::function<void()>& fn, std::string* message = nullptr) {
  try {
    fn();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return ErrorCode::kOk;
}

PasswordProvider NoPassword() {
  return []() -> SecretValue {
    ADD_FAILURE() << "asked for a password for an unencrypted key";
    return SecretValue("");
  };
}

// Keys in every PEM flavour, made by the openssl command (not by berth).
class PlainPemKeyTest : public ::testing::Test {
 protected:
  std::string Openssl(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    std::vector<std::string> argv = {"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.stdin_data = stdin_data;
    options.cwd = dir_.path();
    ProcessResult result = RunProcess(argv, options);
    EXPECT_EQ(result.exit_code, 0) << result.stderr_data;
    return result.stdout_data;
  }
  std::string Read(const std::string& name) { return ReadFile(dir_.path() / name); }
  TempDir dir_{"cosign-keys"};
};

TEST(KeysTest, GeneratedP256SignsDerEcdsaThatVerifiesOnlyForItsPayloadAndKey) {
  PrivateKey key = PrivateKey::GenerateEcdsaP256();
  EXPECT_EQ(key.type(), KeyType::kEcdsa);
  EXPECT_EQ(key.Describe(), "ECDSA P-256");
  std::string payload = R"({"critical":{}})";
  std::string signature = key.Sign(payload);
  // ASN.1 DER ECDSA-Sig-Value, as Go's ecdsa.SignASN1 writes.
  const auto* p = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &p, long(signature.size()));
  ASSERT_NE(parsed, nullptr);
  ECDSA_SIG_free(parsed);
  EXPECT_TRUE(key.Public().Verify(payload, signature));
  EXPECT_FALSE(key.Public().Verify(payload + " ", signature));
  EXPECT_FALSE(PrivateKey::GenerateEcdsaP256().Public().Verify(payload, signature));
  EXPECT_FALSE(key.Public().Verify(payload, "garbage"));
}

TEST(KeysTest, PublicKeyPemAndIdRoundTrip) {
  PrivateKey key = PrivateKey::GenerateEcdsaP256();
  PublicKey public_key = PublicKey::FromPem(key.Public().Pem(), "cosign.pub");
  EXPECT_EQ(public_key.Der(), key.Public().Der());
  EXPECT_EQ(public_key.KeyId().substr(0, 7), "sha256:");
  EXPECT_EQ(public_key.KeyId().size(), 7u + 64u);
  EXPECT_NE(public_key.KeyId(), PrivateKey::GenerateEcdsaP256().Public().KeyId());
}

TEST(KeysTest, Pkcs8RoundTripKeepsTheKey) {
  PrivateKey key = PrivateKey::GenerateEcdsaP256();
  WipedString der = key.Pkcs8Der();
  PrivateKey again = PrivateKey::FromDer(der.value(), "der");
  EXPECT_EQ(again.Public().Der(), key.Public().Der());
  EXPECT_EQ(PrivateKey::FromPem(key.EncryptedPem(SecretValue("pw"), {32768, 8, 1}), "k", [] { return SecretValue("pw"); })
                .Public()
                .Der(),
            key.Public().Der());
}

TEST(KeysTest, WrongFileKindsAreNamed) {
  std::string message;
  std::string pub = ReadTestData("sigstore-ec.pub");
  EXPECT_EQ(KeyCodeOf([&] { PrivateKey::FromPem(pub, "cosign.pub", NoPassword()); }, &message), ErrorCode::kInvalidInput);
  EXPECT_EQ(message, "cosign.pub: holds a public key; signing needs the private key");
  EXPECT_EQ(KeyCodeOf([&] { PublicKey::FromPem(ReadTestData("sigstore-ec.key"), "cosign.key"); }, &message), ErrorCode::kInvalidInput);
  EXPECT_EQ(message, "cosign.key: holds a private key; give the public key (cosign.pub)");
  EXPECT_EQ(KeyCodeOf([&] { PublicKey::FromPem("hello", "x.pub"); }, &message), ErrorCode::kInvalidInput);
  EXPECT_EQ(message, "x.pub: no PEM block found (expected a PUBLIC KEY)");
  EXPECT_EQ(KeyCodeOf([&] { PrivateKey::FromPem("", "empty.key", NoPassword()); }, &message), ErrorCode::kInvalidInput);
  EXPECT_EQ(message, "empty.key: no PEM block found (expected a cosign key or a PEM private key)");
  EXPECT_EQ(KeyCodeOf([&] { PrivateKey::FromPem(EncodePem("PRIVATE KEY", "junk"), "junk.key", NoPassword()); }, &message),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(message, "junk.key: the private key does not parse (PKCS#8, SEC1 or PKCS#1 DER expected)");
  EXPECT_EQ(KeyCodeOf([&] { PublicKey::FromPem(EncodePem("PUBLIC KEY", "junk"), "junk.pub"); }, &message), ErrorCode::kInvalidInput);
  EXPECT_EQ(message, "junk.pub: the PUBLIC KEY block does not parse");
}

TEST_F(PlainPemKeyTest, ImportsEcSec1AndPkcs8) {
  Openssl({"ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem"});
  Openssl({"pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-out", "pkcs8.pem"});
  Openssl({"ec", "-in", "sec1.pem", "-pubout", "-out", "pub.pem"});
  ASSERT_NE(Read("sec1.pem").find("BEGIN EC PRIVATE KEY"), std::string::npos);
  PublicKey expected = PublicKey::FromPem(Read("pub.pem"), "pub.pem");
  for (const char* name : {"sec1.pem", "pkcs8.pem"}) {
    PrivateKey key = PrivateKey::FromPem(Read(name), name, NoPassword());
    EXPECT_EQ(key.Public().Der(), expected.Der()) << name;
    EXPECT_TRUE(expected.Verify("x", key.Sign("x")));
  }
}

TEST_F(PlainPemKeyTest, ImportsRsaPkcs1AndSignsPkcs1v15) {
  Openssl({"genrsa", "-traditional", "-out", "rsa.pem", "2048"});
  Openssl({"rsa", "-in", "rsa.pem", "-pubout", "-out", "pub.pem"});
  Openssl({"rsa", "-in", "rsa.pem", "-RSAPublicKey_out", "-out", "pkcs1pub.pem"});
  ASSERT_NE(Read("rsa.pem").find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  PrivateKey key = PrivateKey::FromPem(Read("rsa.pem"), "rsa.pem", NoPassword());
  EXPECT_EQ(key.Describe(), "RSA 2048");
  std::string signature = key.Sign("payload");
  EXPECT_EQ(signature.size(), 256u);
  EXPECT_EQ(key.Sign("payload"), signature);  // PKCS#1 v1.5 is deterministic.
  EXPECT_TRUE(PublicKey::FromPem(Read("pub.pem"), "pub.pem").Verify("payload", signature));
  EXPECT_TRUE(PublicKey::FromPem(Read("pkcs1pub.pem"), "pkcs1pub.pem").Verify("payload", signature));
}

TEST_F(PlainPemKeyTest, ImportsPasswordProtectedPkcs8) {
  Openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "plain.pem"});
  // The password goes through stdin, never argv.
  Openssl({"pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "plain.pem", "-out", "enc.pem", "-passout", "stdin"}, "s3cret-pw\n");
  ASSERT_NE(Read("enc.pem").find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos);
  PrivateKey key = PrivateKey::FromPem(Read("enc.pem"), "enc.pem", [] { return SecretValue("s3cret-pw"); });
  EXPECT_EQ(key.Public().Der(), PrivateKey::FromPem(Read("plain.pem"), "p", NoPassword()).Public().Der());
  std::string message;
  EXPECT_EQ(KeyCodeOf([&] { PrivateKey::FromPem(Read("enc.pem"), "enc.pem", [] { return SecretValue("nope"); }); }, &message),
            ErrorCode::kAuth);
  EXPECT_EQ(message, "enc.pem: wrong password (or the encrypted PKCS#8 key was altered)");
}

TEST_F(PlainPemKeyTest, Ed25519SignsThePayloadItself) {
  Openssl({"genpkey", "-algorithm", "ED25519", "-out", "ed.pem"});
  PrivateKey key = PrivateKey::FromPem(Read("ed.pem"), "ed.pem", NoPassword());
  EXPECT_EQ(key.Describe(), "Ed25519");
  std::string signature = key.Sign("payload");
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_TRUE(key.Public().Verify("payload", signature));
  EXPECT_FALSE(key.Public().Verify("payloaD", signature));
}

TEST_F(PlainPemKeyTest, RefusesWeakOrUnsupportedKeys) {
  Openssl({"genrsa", "-out", "small.pem", "1024"});
  Openssl({"ecparam", "-name", "secp224r1", "-genkey", "-noout", "-out", "p224.pem"});
  std::string message;
  EXPECT_EQ(KeyCodeOf([&] { PrivateKey::FromPem(Read("small.pem"), "small.pem", NoPassword()); }, &message), ErrorCode::kInvalidInput);
  EXPECT_EQ(message, "small.pem: RSA key of 1024 bits is too small (2048 at least)");
  EXPECT_EQ(KeyCodeOf([&] { PrivateKey::FromPem(Read("p224.pem"), "p224.pem", NoPassword()); }, &message), ErrorCode::kInvalidInput);
  EXPECT_EQ(message, "p224.pem: EC curve secp224r1 is not supported (P-256, P-384 or P-521)");
}

TEST_F(PlainPemKeyTest, PublicKeyFromCertificate) {
  Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem", "-out", "c.pem",
           "-subj", "/CN=test", "-days", "1"});
  PublicKey from_cert = PublicKey::FromPem(Read("c.pem"), "c.pem");
  EXPECT_EQ(from_cert.Der(), PrivateKey::FromPem(Read("k.pem"), "k.pem", NoPassword()).Public().Der());
}

}  // namespace
}  // namespace berth::cosign
