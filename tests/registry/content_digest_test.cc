// Docker-Content-Digest in another algorithm than sha256: verified with that
// algorithm when berth has it (sha512), refused when it does not; it used to
// be ignored, so a registry could opt out of the check by naming sha512.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <fstream>

#include "berth/util/fs.h"
#include "registry_test_util.h"

namespace berth::testing {
namespace {

constexpr char kManifest[] =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]})";

std::string Sha512Hex(std::string_view data) {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), bytes, &length, EVP_sha512(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 15];
  }
  return hex;
}

class ContentDigestTest : public ::testing::Test {
 protected:
  // The manifest of `team/app:v1` as a registry that sends `header` serves it.
  Status Fetch(const std::string& header) {
    std::ofstream(temp_.path() / "manifest", std::ios::binary) << kManifest;
    TestPeer peer("tests/registry/hostile_registry.py", {"--trick", "manifest", "--password", "content-digest-pw-1",
                                                         "--blob-file", (temp_.path() / "manifest").string(),
                                                         "--digest-header", header});
    host_ = peer.host();
    auto client = MakeClient(host_, FastSettings(true), Basic("alice", "content-digest-pw-1"));
    try {
      client->GetManifest("pull", "team/app", "v1");
      return Status();
    } catch (const Error& e) {
      return Status(e.code(), e.what());
    }
  }
  TempDir temp_{"berth-digest-test"};
  std::string host_;
};

TEST_F(ContentDigestTest, Sha512IsVerifiedWithSha512) {
  EXPECT_EQ(Fetch("sha512:" + Sha512Hex(kManifest)).code(), ErrorCode::kOk);
  std::string wrong = "sha512:" + std::string(128, 'a');
  Status status = Fetch(wrong);
  EXPECT_EQ(status.code(), ErrorCode::kVerification);
  EXPECT_EQ(status.message(), "pull " + host_ + "/team/app: manifest v1 failed: digest mismatch: the registry says " + wrong +
                                  ", the bytes are sha512:" + Sha512Hex(kManifest));
}

TEST_F(ContentDigestTest, AnAlgorithmBerthCannotVerifyIsRefusedNamingTheRegistry) {
  Status status = Fetch("blake3:0123abcd");
  EXPECT_EQ(status.code(), ErrorCode::kVerification);
  EXPECT_EQ(status.message(), "pull " + host_ +
                                  "/team/app: manifest v1 failed: the registry sent Docker-Content-Digest 'blake3:0123abcd', "
                                  "which berth cannot verify (it checks sha256 and sha512 digests); refused");
}

}  // namespace
}  // namespace berth::testing
