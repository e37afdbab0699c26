#include "sealed_box.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "berth/error.h"
#include "berth/util/base64.h"

namespace berth::ghcr {
namespace {

TEST(SealedBoxTest, OpensWithTheKeyPairAndNotWithAnother) {
  ASSERT_GE(sodium_init(), 0);
  unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
  crypto_box_keypair(pk, sk);
  std::string value = "multi\nline \xff value";
  std::string sealed_b64 = SealForGitHub(SecretValue(value), Base64Encode(std::string_view(reinterpret_cast<char*>(pk), sizeof pk)));
  auto sealed = Base64Decode(sealed_b64);
  ASSERT_TRUE(sealed);
  ASSERT_EQ(sealed->size(), value.size() + crypto_box_SEALBYTES);
  std::string opened(value.size(), '\0');
  ASSERT_EQ(crypto_box_seal_open(reinterpret_cast<unsigned char*>(opened.data()), reinterpret_cast<const unsigned char*>(sealed->data()),
                                 sealed->size(), pk, sk),
            0);
  EXPECT_EQ(opened, value);
  // Each seal uses a fresh ephemeral key.
  EXPECT_NE(sealed_b64, SealForGitHub(SecretValue(value), Base64Encode(std::string_view(reinterpret_cast<char*>(pk), sizeof pk))));

  unsigned char pk2[crypto_box_PUBLICKEYBYTES], sk2[crypto_box_SECRETKEYBYTES];
  crypto_box_keypair(pk2, sk2);
  EXPECT_NE(crypto_box_seal_open(reinterpret_cast<unsigned char*>(opened.data()), reinterpret_cast<const unsigned char*>(sealed->data()),
                                 sealed->size(), pk2, sk2),
            0);
}

TEST(SealedBoxTest, RefusesAKeyThatIsNot32Bytes) {
  try {
    SealForGitHub(SecretValue("x"), Base64Encode("short"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "GitHub's public key for secrets is not a base64 32-byte X25519 key");
  }
}

}  // namespace
}  // namespace berth::ghcr
