// Choosing among a package's signatures (its own and its referrers'), with
// keys made by the real openssl CLI at test time.
#include "core/plugins/signature_candidates.h"

#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth/util/process.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

class SignatureCandidatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string name : {"alice", "mallory"}) {
      for (const std::vector<std::string>& argv :
           {std::vector<std::string>{"openssl", "genpkey", "-algorithm", "ed25519", "-out", Path(name + ".key")},
            {"openssl", "pkey", "-in", Path(name + ".key"), "-pubout", "-out", Path(name + ".pub")}}) {
        ProcessResult result = RunProcess(argv);
        ASSERT_EQ(result.exit_code, 0) << result.stderr_data;
      }
    }
    PluginManifest manifest;
    manifest.name = "demo";
    manifest.version = "1.0.0";
    manifest.library = "libberth-demo.so";
    manifest.sha256 = std::string(64, 'a');
    statement_ = PackageStatement(manifest, R"({"name":"demo"})");
  }

  std::string Path(const std::string& name) const { return (dir_.path() / name).string(); }
  // A signature file by `signer` over `statement` (default: the package's).
  fs::path Signed(const std::string& file, const std::string& signer, const std::string& statement = "") {
    WriteFileAtomic(Path(file), SignStatement(statement.empty() ? statement_ : statement, Path(signer + ".key")));
    return Path(file);
  }
  std::vector<TrustedKey> Trusting(const std::string& yaml) {
    WriteFileAtomic(Path("config.yaml"), yaml);
    return LoadTrustedPluginKeys(Path("config.yaml"));
  }
  std::vector<TrustedKey> TrustingAlice() { return Trusting("trusted-plugin-keys:\n  - name: alice\n    file: alice.pub\n"); }
  std::string FailureOf(const std::vector<SignatureCandidate>& candidates, const std::vector<TrustedKey>& trusted) {
    try {
      VerifyAnySignature(statement_, candidates, trusted, "pkg");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kVerification);
      return e.what();
    }
    return "";
  }

  TempDir dir_{"berth-candidates-test"};
  std::string statement_;
  const std::string referrer_ = "sha256:" + std::string(64, 'b');
};

TEST_F(SignatureCandidatesTest, ThePackagesOwnSignatureIsTriedFirstAndAloneWhenItVerifies) {
  std::vector<TrustedKey> trusted = TrustingAlice();
  bool asked = false;
  auto verified = VerifyPackageSignatures(statement_, Signed("own.sig", "alice"), [&] {
    asked = true;
    return std::vector<SignatureCandidate>{};
  }, trusted, "pkg");
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->key->name, "alice");
  EXPECT_EQ(verified->candidate.referrer, "");
  EXPECT_FALSE(asked) << "the registry was asked for referrers though the package's own signature verified";
}

TEST_F(SignatureCandidatesTest, AReferrerByATrustedKeyIsChosenWhenTheOwnOneIsNotTrusted) {
  std::vector<TrustedKey> trusted = TrustingAlice();
  fs::path countersignature = Signed("referrer.sig", "alice");
  auto verified = VerifyPackageSignatures(statement_, Signed("own.sig", "mallory"), [&] {
    return std::vector<SignatureCandidate>{{countersignature, referrer_}};
  }, trusted, "pkg");
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->key->name, "alice");
  EXPECT_EQ(verified->candidate.file, countersignature);
  EXPECT_EQ(verified->candidate.referrer, referrer_);
  // Unsigned package, signed later: the referrer alone.
  verified = VerifyPackageSignatures(statement_, Path("none.sig"), [&] {
    return std::vector<SignatureCandidate>{{countersignature, referrer_}};
  }, trusted, "pkg");
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->candidate.referrer, referrer_);
}

TEST_F(SignatureCandidatesTest, NoneVerifyingNamesEverySignerOnceInOneLine) {
  fs::path own = Signed("own.sig", "mallory");
  fs::copy_file(own, Path("same-as-own.sig"));
  std::vector<SignatureCandidate> candidates = {{own, ""}, {Path("same-as-own.sig"), "sha256:" + std::string(64, 'c')},
                                                {Signed("referrer.sig", "alice"), referrer_}};
  std::string message = FailureOf(candidates, Trusting("trusted-plugin-keys: []\n"));
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_TRUE(message.starts_with("pkg: none of its 2 signatures verifies with a trusted key: in the package, signed by key sha256:"))
      << message;
  EXPECT_NE(message.find("; in referrer sha256:bbbbbbbbbbbbbbbb…, signed by key sha256:"), std::string::npos) << message;

  // One signature: its own message, as a package with only berth-plugin.sig gets.
  EXPECT_EQ(FailureOf({candidates[0], candidates[1]}, TrustingAlice()).find("pkg: signed by key sha256:"), 0u);
  // A trusted key's signature over something else does not match.
  std::string other = FailureOf({{Signed("other.sig", "alice", "another statement"), referrer_}, candidates[0]}, TrustingAlice());
  EXPECT_NE(other.find("in referrer sha256:bbbbbbbbbbbbbbbb…, the signature by alice does not match the package"), std::string::npos)
      << other;
}

TEST_F(SignatureCandidatesTest, NoSignatureAnywhereIsLeftToTheCaller) {
  EXPECT_FALSE(VerifyPackageSignatures(statement_, Path("none.sig"), [] { return std::vector<SignatureCandidate>{}; }, TrustingAlice(),
                                       "pkg"));
  EXPECT_FALSE(VerifyPackageSignatures(statement_, Path("none.sig"), MoreSignatures(), TrustingAlice(), "pkg"));
}

}  // namespace
}  // namespace berth::host
