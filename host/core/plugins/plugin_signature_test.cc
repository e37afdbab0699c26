// Plugin package signatures, with keys made by the real openssl CLI at test
// time (no committed keys). The install record: install_record_test.cc.
#include "core/plugins/plugin_signature.h"

#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth/util/process.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

void OpenSsl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult result = RunProcess(argv);
  ASSERT_EQ(result.exit_code, 0) << result.stderr_data;
}

std::string ErrorOf(const std::function<void()>& fn, ErrorCode* code = nullptr) {
  try {
    fn();
  } catch (const Error& e) {
    if (code != nullptr) *code = e.code();
    return e.what();
  }
  return "";
}

class PluginSignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"alice", "mallory"}) {
      OpenSsl({"genpkey", "-algorithm", "ed25519", "-out", (dir_.path() / (std::string(name) + ".key")).string()});
      OpenSsl({"pkey", "-in", (dir_.path() / (std::string(name) + ".key")).string(), "-pubout", "-out",
               (dir_.path() / (std::string(name) + ".pub")).string()});
    }
    OpenSsl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", (dir_.path() / "p256.key").string()});
    OpenSsl({"pkey", "-in", (dir_.path() / "p256.key").string(), "-pubout", "-out", (dir_.path() / "p256.pub").string()});
    OpenSsl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", (dir_.path() / "p384.key").string()});
  }

  std::vector<TrustedKey> Trust(const std::string& yaml) {
    WriteFileAtomic(dir_.path() / "config.yaml", yaml);
    return LoadTrustedPluginKeys(dir_.path() / "config.yaml");
  }

  std::string Statement(const std::string& version = "1.0.0") {
    manifest_.name = "demo";
    manifest_.version = version;
    manifest_.library = "libberth-demo.so";
    manifest_.sha256 = std::string(64, 'a');
    return PackageStatement(manifest_, R"({"name":"demo"})");
  }

  TempDir dir_{"berth-sig-test"};
  PluginManifest manifest_;
};

TEST_F(PluginSignatureTest, TrustedKeysFromFilesAndInlinePem) {
  auto keys = Trust("trusted-plugin-keys:\n  - alice.pub\n  - name: team\n    pem: |\n" +
                    [&] {
                      std::string pem = ReadFile(dir_.path() / "p256.pub"), indented;
                      size_t start = 0;
                      while (start < pem.size()) {
                        size_t end = pem.find('\n', start);
                        indented += "      " + pem.substr(start, end - start) + "\n";
                        start = end + 1;
                      }
                      return indented;
                    }());
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].name, "alice.pub");
  EXPECT_EQ(keys[1].name, "team");
  EXPECT_EQ(keys[0].fingerprint.substr(0, 7), "sha256:");
  EXPECT_EQ(keys[0].fingerprint.size(), 7u + 64u);
  EXPECT_NE(keys[0].fingerprint, keys[1].fingerprint);
  EXPECT_TRUE(LoadTrustedPluginKeys(dir_.path() / "missing.yaml").empty());
}

TEST_F(PluginSignatureTest, ConfigProblemsNameTheEntry) {
  std::string config = (dir_.path() / "config.yaml").string();
  EXPECT_EQ(ErrorOf([&] { Trust("trusted-plugin-keys: alice.pub\n"); }), config + ": trusted-plugin-keys must be a list");
  EXPECT_EQ(ErrorOf([&] { Trust("trusted-plugin-keys:\n  - nope.pub\n"); }),
            config + ": trusted-plugin-keys[0]: cannot read " + (dir_.path() / "nope.pub").string());
  EXPECT_EQ(ErrorOf([&] { Trust("trusted-plugin-keys:\n  - alice.key\n"); }), config + ": trusted-plugin-keys[0]: not a PEM public key");
}

TEST_F(PluginSignatureTest, SignedPackageVerifiesOnlyWithItsKeyAndStatement) {
  // A directory holding a real plugin is needed only to sign; verification
  // works on the statement, which is what the installer computes.
  std::string statement = Statement();
  WriteFileAtomic(dir_.path() / "sig.json", "");
  auto keys = Trust("trusted-plugin-keys:\n  - alice.pub\n  - p256.pub\n");
  ErrorCode code{};
  EXPECT_EQ(ErrorOf([&] { VerifyPackage(statement, dir_.path() / "absent.sig", keys, "pkg"); }, &code),
            "pkg: the package is not signed (no absent.sig); sign it with `berth plugin sign` or install with --allow-unsigned");
  EXPECT_EQ(code, ErrorCode::kVerification);
  EXPECT_EQ(ErrorOf([&] { VerifyPackage(statement, dir_.path() / "sig.json", keys, "pkg"); }, &code),
            "pkg: sig.json is not a berth plugin signature");
  EXPECT_EQ(code, ErrorCode::kVerification);
}

TEST_F(PluginSignatureTest, SignaturesVerifyOnlyWithATrustedKeyOverTheSameStatement) {
  auto keys = Trust("trusted-plugin-keys:\n  - name: alice\n    file: alice.pub\n  - p256.pub\n");
  std::string fingerprint;
  WriteFileAtomic(dir_.path() / "alice.sig", SignStatement(Statement(), dir_.path() / "alice.key", &fingerprint));
  EXPECT_EQ(fingerprint, keys[0].fingerprint);
  EXPECT_EQ(VerifyPackage(Statement(), dir_.path() / "alice.sig", keys, "pkg").name, "alice");

  WriteFileAtomic(dir_.path() / "p256.sig", SignStatement(Statement(), dir_.path() / "p256.key"));
  EXPECT_EQ(VerifyPackage(Statement(), dir_.path() / "p256.sig", keys, "pkg").name, "p256.pub");

  ErrorCode code{};
  EXPECT_EQ(ErrorOf([&] { VerifyPackage(Statement("1.0.1"), dir_.path() / "alice.sig", keys, "pkg"); }, &code),
            "pkg: the signature by alice does not match the package (modified after signing?)");
  EXPECT_EQ(code, ErrorCode::kVerification);

  std::string mallory;
  WriteFileAtomic(dir_.path() / "mallory.sig", SignStatement(Statement(), dir_.path() / "mallory.key", &mallory));
  EXPECT_EQ(ErrorOf([&] { VerifyPackage(Statement(), dir_.path() / "mallory.sig", keys, "pkg"); }, &code),
            "pkg: signed by key " + mallory + ", which is not in trusted-plugin-keys of your berth config");
  EXPECT_EQ(code, ErrorCode::kVerification);

  // Another key's signature bytes under a trusted fingerprint do not verify.
  auto forged = nlohmann::json::parse(ReadFile(dir_.path() / "mallory.sig"));
  forged["key"] = keys[0].fingerprint;
  WriteFileAtomic(dir_.path() / "forged.sig", forged.dump());
  EXPECT_EQ(ErrorOf([&] { VerifyPackage(Statement(), dir_.path() / "forged.sig", keys, "pkg"); }),
            "pkg: the signature by alice does not match the package (modified after signing?)");
  EXPECT_EQ(ErrorOf([&] { VerifyPackage(Statement(), dir_.path() / "alice.sig", {}, "pkg"); }),
            "pkg: signed by key " + fingerprint + ", which is not in trusted-plugin-keys of your berth config");
}

TEST_F(PluginSignatureTest, SigningRefusesUnusableKeys) {
  fs::path plugin = dir_.path() / "plugin";
  CreateDirectories(plugin);
  EXPECT_EQ(ErrorOf([&] { SignPackage(plugin, dir_.path() / "alice.key"); }), plugin.string() + ": no berth-plugin.json in it");
  EXPECT_EQ(ErrorOf([&] { SignStatement("x", dir_.path() / "p384.key"); }),
            (dir_.path() / "p384.key").string() + ": plugin signing keys must be Ed25519 or ECDSA P-256");
  EXPECT_EQ(ErrorOf([&] { SignStatement("x", dir_.path() / "alice.pub"); }),
            (dir_.path() / "alice.pub").string() + ": not an unencrypted PEM private key");
  PrivateTempFile passphrase("test-passphrase\n");  // Not in argv: openssl reads it from the 0600 file.
  OpenSsl({"pkey", "-in", (dir_.path() / "alice.key").string(), "-aes256", "-passout", "file:" + passphrase.path().string(), "-out",
           (dir_.path() / "encrypted.key").string()});
  EXPECT_EQ(ErrorOf([&] { SignStatement("x", dir_.path() / "encrypted.key"); }),
            (dir_.path() / "encrypted.key").string() + ": not an unencrypted PEM private key");
}

}  // namespace
}  // namespace berth::host
