// berth keygen and berth cosign ... with the real binary: key files cosign
// and python3-nacl can open, the password prompt on a real (pseudo)
// terminal, imports of PEM keys made by openssl, and blob signatures that
// openssl accepts.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"
#include "terminal_session.h"

namespace berth::testing {
namespace {

const std::filesystem::path kTestData = COSIGN_TESTDATA;

// The environment BerthRunner gives berth, for runs it cannot make itself.
std::map<std::string, std::string> IsolatedEnv(const BerthRunner& berth) {
  return {{"HOME", berth.home().string()},
          {"XDG_DATA_HOME", (berth.home() / "data").string()},
          {"XDG_CONFIG_HOME", (berth.home() / "config").string()},
          {"DOCKER_CONFIG", (berth.home() / "docker").string()},
          {"BERTH_PLUGIN_PATH", ""},
          {"NO_COLOR", "1"}};
}

mode_t KeyFileModeOf(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777;
}

// The independent reader of cosign.key (python3-nacl + hashlib.scrypt).
nlohmann::json PythonDecrypt(const std::filesystem::path& key, const std::string& password) {
  ProcessOptions options;
  options.stdin_data = password;  // Never argv.
  ProcessResult result = RunProcess({"/usr/bin/python3", (kTestData / "cosign_key_nacl.py").string(), "decrypt", key.string()}, options);
  EXPECT_EQ(result.exit_code, 0) << result.stderr_data;
  return nlohmann::json::parse(result.stdout_data, nullptr, false);
}

ProcessResult Openssl(const BerthRunner& berth, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.cwd = berth.work_dir();
  return RunProcess(argv, options);
}

TEST(CosignKeysE2eTest, KeygenWritesAKeyPythonNaclOpens) {
  BerthRunner berth;
  const std::string password = "keygen-pass-7f3a";
  berth.SetEnv("COSIGN_PASSWORD", password);
  auto result = berth.Json({"keygen", "-v", "-v", "-v"});
  EXPECT_EQ(result["private_key"], "cosign.key");
  EXPECT_EQ(result["public_key"], "cosign.pub");
  EXPECT_EQ(result["algorithm"], "ECDSA P-256");
  auto key = berth.work_dir() / "cosign.key";
  auto pub = berth.work_dir() / "cosign.pub";
  EXPECT_EQ(KeyFileModeOf(key), 0600u);
  EXPECT_EQ(KeyFileModeOf(pub), 0644u);
  EXPECT_NE(ReadFile(key).find("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), std::string::npos);
  EXPECT_EQ(ReadFile(pub).substr(0, 27), "-----BEGIN PUBLIC KEY-----\n");
  auto opened = PythonDecrypt(key, password);
  EXPECT_EQ(opened["N"], 65536);
  EXPECT_EQ(opened["public_key_pem"], ReadFile(pub));
  auto logged = berth.Run({"cosign", "public-key", "--key", "cosign.key", "-v", "-v", "-v"});
  EXPECT_EQ(logged.stdout_data, ReadFile(pub));
  EXPECT_EQ(logged.stderr_data.find(password), std::string::npos) << logged.stderr_data;

  // The plugin's own spelling of the same thing, with a prefix.
  auto generated = berth.Json({"cosign", "generate-key-pair", "--output-key-prefix", "release"});
  EXPECT_EQ(generated["private_key"], "release.key");
  EXPECT_EQ(PythonDecrypt(berth.work_dir() / "release.key", password)["public_key_pem"], ReadFile(berth.work_dir() / "release.pub"));
}

TEST(CosignKeysE2eTest, KeygenNeverOverwritesWithoutForce) {
  BerthRunner berth;
  berth.SetEnv("COSIGN_PASSWORD", "");
  ASSERT_EQ(berth.Run({"keygen"}).exit_code, 0);
  std::string before = ReadFile(berth.work_dir() / "cosign.key");
  auto result = berth.Run({"keygen"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data, "error: cosign: generate key pair: cosign.key already exists (use --force to overwrite it)\n");
  EXPECT_EQ(ReadFile(berth.work_dir() / "cosign.key"), before);
  ASSERT_EQ(berth.Run({"keygen", "--force"}).exit_code, 0);
  EXPECT_NE(ReadFile(berth.work_dir() / "cosign.key"), before);
  EXPECT_EQ(PythonDecrypt(berth.work_dir() / "cosign.key", "")["key_type"], "ec");  // The empty password works.
}

TEST(CosignKeysE2eTest, PasswordIsAskedTwiceOnTheTerminalWithoutEcho) {
  BerthRunner berth;
  const std::string password = "typed-on-tty-91c2";
  TerminalSession tty({BERTH_BINARY, "keygen"}, IsolatedEnv(berth), berth.work_dir());
  ASSERT_TRUE(tty.Expect("Enter password for private key: ")) << tty.transcript();
  tty.Type(password + "\r");
  ASSERT_TRUE(tty.Expect("Enter password for private key again: ")) << tty.transcript();
  tty.Type(password + "\r");
  EXPECT_EQ(tty.Wait(), 0) << tty.transcript();
  EXPECT_EQ(tty.transcript().find(password), std::string::npos) << "the password was echoed: " << tty.transcript();
  EXPECT_EQ(PythonDecrypt(berth.work_dir() / "cosign.key", password)["public_key_pem"], ReadFile(berth.work_dir() / "cosign.pub"));

  // Sign with it, typing the password once.
  WriteFileAtomic(berth.work_dir() / "blob.txt", "blob");
  TerminalSession sign({BERTH_BINARY, "cosign", "sign-blob", "--key", "cosign.key", "blob.txt"}, IsolatedEnv(berth), berth.work_dir());
  ASSERT_TRUE(sign.Expect("Enter password for private key: ")) << sign.transcript();
  sign.Type(password + "\r");
  EXPECT_EQ(sign.Wait(), 0) << sign.transcript();
}

TEST(CosignKeysE2eTest, MismatchedPasswordsAreRefused) {
  BerthRunner berth;
  TerminalSession tty({BERTH_BINARY, "keygen"}, IsolatedEnv(berth), berth.work_dir());
  ASSERT_TRUE(tty.Expect("Enter password for private key: "));
  tty.Type("first-one\r");
  ASSERT_TRUE(tty.Expect("again: "));
  tty.Type("second-one\r");
  EXPECT_EQ(tty.Wait(), 7);
  EXPECT_NE(tty.transcript().find("error: cosign: generate key pair: the passwords do not match"), std::string::npos) << tty.transcript();
  EXPECT_FALSE(std::filesystem::exists(berth.work_dir() / "cosign.key"));
}

TEST(CosignKeysE2eTest, WithoutPasswordOrTerminalItSaysHow) {
  BerthRunner berth;
  auto env = IsolatedEnv(berth);
  auto [code, stderr_data] = RunWithoutTerminal({BERTH_BINARY, "keygen"}, env, berth.work_dir());
  EXPECT_EQ(code, 7);
  EXPECT_EQ(stderr_data, "error: cosign: generate key pair: no password for the key: set COSIGN_PASSWORD (it may be empty) or run berth on a terminal\n");
}

TEST(CosignKeysE2eTest, RealCosignKeySignsBlobsOpensslVerifies) {
  BerthRunner berth;
  for (const char* name : {"cosign-ec.key", "cosign-rsa.key", "sigstore-ec.key"}) {
    std::filesystem::copy_file(kTestData / name, berth.work_dir() / name);
  }
  std::filesystem::copy_file(kTestData / "sigstore-ec.pub", berth.work_dir() / "sigstore-ec.pub");
  WriteFileAtomic(berth.work_dir() / "payload.json", R"({"critical":{},"optional":null})");
  berth.SetEnv("COSIGN_PASSWORD", "hello");
  auto result = berth.Run({"cosign", "sign-blob", "--key", "sigstore-ec.key", "payload.json", "--output-signature", "sig.b64"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  std::string signature = ReadFile(berth.work_dir() / "sig.b64");
  EXPECT_EQ(result.stdout_data, signature + "\n");
  WriteFileAtomic(berth.work_dir() / "sig.der", Base64Decode(signature).value());
  auto verified = Openssl(berth, {"dgst", "-sha256", "-verify", "sigstore-ec.pub", "-signature", "sig.der", "payload.json"});
  EXPECT_EQ(verified.stdout_data, "Verified OK\n") << verified.stderr_data;
  EXPECT_EQ(berth.Run({"cosign", "verify-blob", "--key", "sigstore-ec.pub", "--signature", "sig.b64", "payload.json"}).exit_code, 0);

  // Each of cosign's keys has its own public key: the others do not verify.
  for (const char* other : {"cosign-ec.key", "cosign-rsa.key"}) {
    ASSERT_EQ(berth.Run({"cosign", "public-key", "--key", other, "--outfile", "other.pub"}).exit_code, 0);
    result = berth.Run({"cosign", "verify-blob", "--key", "other.pub", "--signature", "sig.b64", "payload.json"});
    EXPECT_EQ(result.exit_code, 5);
    EXPECT_EQ(result.stderr_data, "error: cosign verify-blob: payload.json: signature does not verify with other.pub\n");
  }
  berth.SetEnv("COSIGN_PASSWORD", "Hello");
  result = berth.Run({"cosign", "sign-blob", "--key", "sigstore-ec.key", "payload.json"});
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_EQ(result.stderr_data, "error: cosign sign-blob: sigstore-ec.key: wrong password (or the encrypted key was altered)\n");
}

TEST(CosignKeysE2eTest, ImportsOpensslPemKeys) {
  BerthRunner berth;
  berth.SetEnv("COSIGN_PASSWORD", "import-pass");
  ASSERT_EQ(Openssl(berth, {"genrsa", "-traditional", "-out", "rsa.pem", "2048"}).exit_code, 0);
  ASSERT_EQ(Openssl(berth, {"ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem"}).exit_code, 0);
  auto imported = berth.Json({"cosign", "import-key-pair", "--key", "rsa.pem", "--output-key-prefix", "rsa"});
  EXPECT_EQ(imported["algorithm"], "RSA 2048");
  auto opened = PythonDecrypt(berth.work_dir() / "rsa.key", "import-pass");
  EXPECT_EQ(opened["key_type"], "rsa");
  EXPECT_EQ(opened["public_key_pem"], ReadFile(berth.work_dir() / "rsa.pub"));
  imported = berth.Json({"cosign", "import-key-pair", "--key", "ec.pem"});
  EXPECT_EQ(imported["private_key"], "import-cosign.key");
  EXPECT_EQ(PythonDecrypt(berth.work_dir() / "import-cosign.key", "import-pass")["key_type"], "ec");

  // The imported RSA key signs PKCS#1 v1.5 over SHA-256, as openssl checks.
  WriteFileAtomic(berth.work_dir() / "payload.json", "{}");
  auto result = berth.Run({"cosign", "sign-blob", "--key", "rsa.key", "payload.json", "--output-signature", "sig.b64"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  WriteFileAtomic(berth.work_dir() / "sig.der", Base64Decode(ReadFile(berth.work_dir() / "sig.b64")).value());
  EXPECT_EQ(Openssl(berth, {"dgst", "-sha256", "-verify", "rsa.pub", "-signature", "sig.der", "payload.json"}).stdout_data,
            "Verified OK\n");

  ASSERT_EQ(Openssl(berth, {"genrsa", "-out", "small.pem", "1024"}).exit_code, 0);
  result = berth.Run({"cosign", "import-key-pair", "--key", "small.pem"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data, "error: cosign import-key-pair: small.pem: RSA key of 1024 bits is too small (2048 at least)\n");
}

}  // namespace
}  // namespace berth::testing
