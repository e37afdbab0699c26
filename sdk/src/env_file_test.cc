#include "berth/util/env_file.h"

#include <gtest/gtest.h>

#include "berth/error.h"

namespace berth {
namespace {

TEST(EnvFileTest, ParsesTheUsualShapes) {
  auto values = ParseEnvFile(
      "# comment\n"
      "export A=1\n"
      "B = two words  # trailing comment\n"
      "C='lit\\n'\n"
      "D=\"line1\\nline2\"\n"
      "PEM=\"-----BEGIN-----\nabc\n-----END-----\"\n"
      "\n",
      ".env");
  EXPECT_EQ(values.at("A").Reveal(), "1");
  EXPECT_EQ(values.at("B").Reveal(), "two words");
  EXPECT_EQ(values.at("C").Reveal(), "lit\\n");
  EXPECT_EQ(values.at("D").Reveal(), "line1\nline2");
  EXPECT_EQ(values.at("PEM").Reveal(), "-----BEGIN-----\nabc\n-----END-----");
}

TEST(EnvFileTest, NamesFileAndLineWithoutTheValue) {
  try {
    ParseEnvFile("A=1\nB=\"unterminated-secret-value\n", "prod.env");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "prod.env:2: unterminated quoted value for B");
  }
  EXPECT_THROW(ParseEnvFile("=x\n", "f"), Error);
  EXPECT_THROW(ParseEnvFile("A\n", "f"), Error);
}

}  // namespace
}  // namespace berth
