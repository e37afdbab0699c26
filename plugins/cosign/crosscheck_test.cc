// Cross-checks with implementations that share no code with berth (no cosign
// binary exists here): Debian's python3-nacl + hashlib.scrypt for the key
// format (testdata/cosign_key_nacl.py), and the openssl command for
// signatures. Passwords go to the script through stdin, never argv.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "keys.h"
#include "simple_signing.h"
#include "test_util.h"

namespace berth::cosign {
namespace {

using testing::TestData;

class CrossCheckTest : public ::testing::Test {
 protected:
  nlohmann::json Python(const std::vector<std::string>& args, const std::string& password) {
    std::vector<std::string> argv = {"/usr/bin/python3", TestData("cosign_key_nacl.py").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.stdin_data = password;
    ProcessResult result = RunProcess(argv, options);
    EXPECT_EQ(result.exit_code, 0) << result.stderr_data;
    return nlohmann::json::parse(result.stdout_data, nullptr, false);
  }
  ProcessResult Openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.cwd = dir_.path();
    return RunProcess(argv, options);
  }
  std::string Path(const std::string& name) { return (dir_.path() / name).string(); }
  void Write(const std::string& name, const std::string& content) { WriteFileAtomic(dir_.path() / name, content, 0600); }

  TempDir dir_{"cosign-crosscheck"};
};

TEST_F(CrossCheckTest, PythonNaclDecryptsAKeyBerthWrote) {
  PrivateKey key = PrivateKey::GenerateEcdsaP256();
  for (const std::string password : {"correct horse battery", ""}) {
    Write("cosign.key", key.EncryptedPem(SecretValue(password)));
    nlohmann::json opened = Python({"decrypt", Path("cosign.key")}, password);
    EXPECT_EQ(opened["label"], "ENCRYPTED SIGSTORE PRIVATE KEY");
    EXPECT_EQ(opened["N"], 65536);
    EXPECT_EQ(opened["r"], 8);
    EXPECT_EQ(opened["p"], 1);
    EXPECT_EQ(opened["key_type"], "ec");
    EXPECT_EQ(opened["public_key_pem"], key.Public().Pem());
  }
}

TEST_F(CrossCheckTest, BerthLoadsKeysPythonNaclWrote) {
  struct Case {
    std::string type;
    int n;
    std::string label;
  };
  for (const Case& c : {Case{"ec", 32768, "ENCRYPTED COSIGN PRIVATE KEY"}, Case{"ec", 65536, "ENCRYPTED SIGSTORE PRIVATE KEY"},
                        Case{"ec", 131072, "ENCRYPTED SIGSTORE PRIVATE KEY"}, Case{"rsa", 32768, "ENCRYPTED SIGSTORE PRIVATE KEY"}}) {
    SCOPED_TRACE(c.type + " N=" + std::to_string(c.n) + " " + c.label);
    nlohmann::json made =
        Python({"encrypt", Path("py.key"), "--type", c.type, "--n", std::to_string(c.n), "--label", c.label}, "py-pass");
    PrivateKey key = PrivateKey::FromPem(ReadFile(Path("py.key")), "py.key", [] { return SecretValue("py-pass"); });
    EXPECT_EQ(key.Public().Pem(), made["public_key_pem"]);
    EXPECT_EQ(key.type(), c.type == "ec" ? KeyType::kEcdsa : KeyType::kRsa);
    EXPECT_THROW(PrivateKey::FromPem(ReadFile(Path("py.key")), "py.key", [] { return SecretValue("other"); }), Error);
  }
}

TEST_F(CrossCheckTest, PythonNaclOpensTheRealCosignKeysLikeBerth) {
  for (const std::string name : {"cosign-ec", "cosign-rsa", "sigstore-ec"}) {
    nlohmann::json opened = Python({"decrypt", TestData(name + ".key").string()}, "hello");
    PrivateKey key = PrivateKey::FromPem(ReadFile(TestData(name + ".key")), name, [] { return SecretValue("hello"); });
    EXPECT_EQ(opened["public_key_pem"], key.Public().Pem()) << name;
  }
}

TEST_F(CrossCheckTest, OpensslVerifiesBerthsSignaturesOverThePayload) {
  PrivateKey ec = PrivateKey::FromPem(ReadFile(TestData("sigstore-ec.key")), "k", [] { return SecretValue("hello"); });
  ASSERT_EQ(Openssl({"genrsa", "-out", "rsa.pem", "2048"}).exit_code, 0);
  PrivateKey rsa = PrivateKey::FromPem(ReadFile(Path("rsa.pem")), "rsa.pem", [] { return SecretValue(""); });
  std::string payload = BuildPayload("127.0.0.1:5000/team/app", Digest::Of("manifest").str(), {{"env", "prod"}});
  Write("payload.json", payload);
  Write("tampered.json", BuildPayload("127.0.0.1:5000/team/app", Digest::Of("other").str(), {{"env", "prod"}}));
  for (const PrivateKey* key : {&ec, &rsa}) {
    SCOPED_TRACE(key->Describe());
    Write("cosign.pub", key->Public().Pem());
    Write("sig.der", key->Sign(payload));
    ProcessResult ok = Openssl({"dgst", "-sha256", "-verify", "cosign.pub", "-signature", "sig.der", "payload.json"});
    EXPECT_EQ(ok.exit_code, 0) << ok.stderr_data;
    EXPECT_EQ(ok.stdout_data, "Verified OK\n");
    ProcessResult bad = Openssl({"dgst", "-sha256", "-verify", "cosign.pub", "-signature", "sig.der", "tampered.json"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_EQ(bad.stdout_data, "Verification failure\n");
  }
}

TEST_F(CrossCheckTest, BerthVerifiesOpensslSignatures) {
  ASSERT_EQ(Openssl({"ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem"}).exit_code, 0);
  ASSERT_EQ(Openssl({"ec", "-in", "ec.pem", "-pubout", "-out", "ec.pub"}).exit_code, 0);
  std::string payload = BuildPayload("reg/app", Digest::Of("m").str(), {});
  Write("payload.json", payload);
  ASSERT_EQ(Openssl({"dgst", "-sha256", "-sign", "ec.pem", "-out", "sig.der", "payload.json"}).exit_code, 0);
  PublicKey key = PublicKey::FromPem(ReadFile(Path("ec.pub")), "ec.pub");
  EXPECT_TRUE(key.Verify(payload, ReadFile(Path("sig.der"))));
  EXPECT_FALSE(key.Verify(payload + "\n", ReadFile(Path("sig.der"))));
}

}  // namespace
}  // namespace berth::cosign
