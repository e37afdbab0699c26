#include "berth/redact.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace berth
