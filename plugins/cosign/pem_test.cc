#include "pem.h"

#include <gtest/gtest.h>

namespace berth::cosign {
namespace {

TEST(PemTest, RoundTripsAndWrapsAt64Columns) {
  std::string body(100, '\x5a');
  std::string pem = EncodePem("PUBLIC KEY", body);
  EXPECT_EQ(pem.substr(0, 27), "-----BEGIN PUBLIC KEY-----\n");
  EXPECT_EQ(pem.find('\n', 27), 27u + 64u);
  auto block = ParseFirstPem("leading text\n" + pem + "-----BEGIN OTHER-----\nAAAA\n-----END OTHER-----\n");
  ASSERT_TRUE(block);
  EXPECT_EQ(block->label, "PUBLIC KEY");
  EXPECT_EQ(block->body, body);
}

TEST(PemTest, AcceptsCrlfLines) {
  auto block = ParseFirstPem("-----BEGIN X-----\r\nAAEC\r\n-----END X-----\r\n");
  ASSERT_TRUE(block);
  EXPECT_EQ(block->body, std::string("\x00\x01\x02", 3));
}

TEST(PemTest, RefusesBrokenBlocks) {
  EXPECT_FALSE(ParseFirstPem("no pem here"));
  EXPECT_FALSE(ParseFirstPem("-----BEGIN X-----\nAAEC\n"));                          // No END.
  EXPECT_FALSE(ParseFirstPem("-----BEGIN X-----\nAAEC\n-----END Y-----\n"));         // END of another label.
  EXPECT_FALSE(ParseFirstPem("-----BEGIN X-----\n!!!!\n-----END X-----\n"));         // Not base64.
  EXPECT_FALSE(ParseFirstPem("-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END EC PRIVATE KEY-----\n"));
  EXPECT_FALSE(ParseFirstPem("x-----BEGIN X-----\nAAEC\n-----END X-----\n"));        // BEGIN not at a line start.
}

}  // namespace
}  // namespace berth::cosign
