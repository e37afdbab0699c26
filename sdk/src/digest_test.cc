#include "berth/util/digest.h"

#include <gtest/gtest.h>

#include "berth/error.h"

namespace berth {
namespace {

TEST(DigestTest, Sha256OfKnownInputs) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Digest::Of("{}").str(), "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  Sha256 streaming;
  streaming.Update("{");
  streaming.Update("}");
  EXPECT_EQ(streaming.FinishHex(), Digest::Of("{}").hex());
}

TEST(DigestTest, ParsesAndRejects) {
  auto digest = Digest::Parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_EQ(digest.algorithm(), "sha256");
  EXPECT_THROW(Digest::Parse("sha256:44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A"), Error);
  EXPECT_THROW(Digest::Parse("sha256:abc"), Error);
  EXPECT_THROW(Digest::Parse("md5:d41d8cd98f00b204e9800998ecf8427e"), Error);
  EXPECT_THROW(Digest::Parse("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"), Error);
}

}  // namespace
}  // namespace berth
