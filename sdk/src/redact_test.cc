#include "berth/util/redact.h"

#include <gtest/gtest.h>

#include <string>

#include "berth/secret.h"

namespace berth {
namespace {

TEST(RedactTest, MasksRegisteredSecretsAndCredentialShapes) {
  SecretValue secret("hunter2-very-secret");
  EXPECT_EQ(Redact("password is hunter2-very-secret!"), "password is ***!");
  EXPECT_EQ(Redact("Authorization: Bearer abc.def.ghi"), "Authorization: ***");
  EXPECT_EQ(Redact(R"({"token":"abcdef","expires_in":60})"), R"({"token":"***","expires_in":60})");
  EXPECT_EQ(Redact("grant_type=password&password=pw123&scope=x"), "grant_type=password&password=***&scope=x");
  EXPECT_EQ(Redact("plain text stays"), "plain text stays");
}

TEST(RedactTest, EachContextIsMasked) {
  EXPECT_EQ(Redact("proxy-authorization :  Basic abc\r\nHost: x"), "proxy-authorization: ***\r\nHost: x");
  EXPECT_EQ(Redact("sent Bearer abcdefgh1234 to x"), "sent Bearer *** to x");
  EXPECT_EQ(Redact("sent Basic dXNlcjp3cm9uZw== to x"), "sent Basic *** to x");
  EXPECT_EQ(Redact(R"(Bearer realm="https://r/token")"), R"(Bearer realm="https://r/token")");
  EXPECT_EQ(Redact("https://r/token?service=x&token=abc&n=1"), "https://r/token?service=x&token=***&n=1");
  EXPECT_EQ(Redact("access_token=abc def"), "access_token=*** def");
  EXPECT_EQ(Redact(R"({"password" : "a\"b", "user":"u"})"), R"({"password" : "***", "user":"u"})");
  EXPECT_EQ(Redact(R"({"refresh_token":"cut short)"), R"({"refresh_token":"***)");
  EXPECT_EQ(Redact("jwt eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl end"), "jwt *** end");
  EXPECT_EQ(Redact("not-a-jwt eyJhbGci.short"), "not-a-jwt eyJhbGci.short");
}

// A password that is an ordinary word must not turn every occurrence of the
// word in messages into "***"; it is still masked where the context says
// it is a password.
TEST(RedactTest, ShortSecretsAreMaskedByContextOnly) {
  SecretValue password("wrong");
  EXPECT_EQ(Redact("something went wrong: 404"), "something went wrong: 404");
  EXPECT_EQ(Redact("password=wrong&user=u"), "password=***&user=u");
  EXPECT_EQ(Redact(R"({"password":"wrong"})"), R"({"password":"***"})");
  SecretValue seven("abcdefg");
  EXPECT_EQ(Redact("abcdefg"), "abcdefg");
  SecretValue eight("abcdefgh");
  EXPECT_EQ(Redact("x abcdefgh y"), "x *** y");
}

TEST(RedactTest, ASecretContainingAnotherIsMaskedWhole) {
  SecretValue inner("inner-secret-1");
  SecretValue outer("outer-inner-secret-1-end");
  EXPECT_EQ(Redact("[outer-inner-secret-1-end] [inner-secret-1]"), "[***] [***]");
}

// std::regex recursed per character: a 60 KB field in a registry's error
// message overflowed the stack (berth exited 139). These inputs hit every
// context with a huge tail and must come back quickly and intact.
TEST(RedactTest, HugeInputsDoNotCrashAndStayLinear) {
  const std::string big(4 << 20, 'a');
  EXPECT_EQ(Redact("Authorization: " + big), "Authorization: ***");
  EXPECT_EQ(Redact("Bearer " + big), "Bearer ***");
  EXPECT_EQ(Redact(R"({"token":")" + big + "\"}"), R"({"token":"***"})");
  EXPECT_EQ(Redact("token=" + big), "token=***");
  EXPECT_EQ(Redact("eyJ" + big + ".eyJ" + big + ".sig"), "***");
  EXPECT_EQ(Redact("detail: " + big).size(), big.size() + 8);
  // Many near-misses in a row: a rescanning implementation is quadratic here.
  std::string near_misses;
  for (int i = 0; i < 200000; ++i) near_misses += "-eyJaaaaaaaaaaaa";
  EXPECT_EQ(Redact(near_misses), near_misses);
  std::string bearers;
  for (int i = 0; i < 200000; ++i) bearers += "Bearer x ";
  EXPECT_EQ(Redact(bearers), bearers);
}

}  // namespace
}  // namespace berth
