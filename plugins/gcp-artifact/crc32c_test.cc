#include "crc32c.h"

#include <gtest/gtest.h>

namespace berth::gcp {
namespace {

TEST(Crc32cTest, MatchesTheCastagnoliCheckValues) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // The catalogued check value of CRC-32C.
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4: 32 bytes of zeroes.
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);  // RFC 3720 B.4: 32 bytes of 0xff.
}

}  // namespace
}  // namespace berth::gcp
