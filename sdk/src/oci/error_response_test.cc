// What a registry's error answer becomes in berth's messages.
#include <gtest/gtest.h>

#include "berth/oci/client.h"

namespace berth::oci {
namespace {

http::Response Answer(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// Registry text reaches the user's terminal: escape sequences in it are
// stripped, so a registry cannot clear the screen or fake a line of output.
TEST(ErrorResponseTest, RegistryTextIsStrippedOfTerminalControls) {
  EXPECT_EQ(DescribeErrorResponse(Answer(
                400, R"({"errors":[{"code":"DENIED\u001b[2J","message":"no\u001b]0;owned\u0007 way\n\u001b[32mok: pushed"}]})")),
            "400 DENIED (no way ok: pushed)");
  EXPECT_EQ(DescribeErrorResponse(Answer(401, R"({"error":"bad\u001b[8m hidden"})")), "401 Unauthorized (bad hidden)");
}

}  // namespace
}  // namespace berth::oci
