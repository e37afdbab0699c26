#include "berth/http/url.h"

#include <gtest/gtest.h>

#include "berth/error.h"

namespace berth::http {
namespace {

// Credentials are bound to an origin: these must compare equal exactly when
// scheme, host and port are the same.
TEST(UrlTest, OriginIsSchemeHostAndPortWithDefaultsFilledIn) {
  EXPECT_EQ(UrlOrigin("https://Registry.Example/v2/"), "https://registry.example:443");
  EXPECT_EQ(UrlOrigin("HTTPS://registry.example:443/x?y=1"), "https://registry.example:443");
  EXPECT_EQ(UrlOrigin("http://127.0.0.1:5000/v2/a/blobs/uploads/1"), "http://127.0.0.1:5000");
  EXPECT_EQ(UrlOrigin("http://[::1]:8080/"), "http://[::1]:8080");
  EXPECT_NE(UrlOrigin("https://registry.example/"), UrlOrigin("http://registry.example/"));  // A downgrade.
  EXPECT_NE(UrlOrigin("https://registry.example/"), UrlOrigin("https://registry.example:8443/"));
  EXPECT_NE(UrlOrigin("https://registry.example/"), UrlOrigin("https://registry.example.evil/"));
  EXPECT_EQ(UrlOrigin("not a url"), "");
}

// A Location a server sent ends up in the error when it is malformed.
TEST(UrlTest, AMalformedLocationIsQuotedWithoutTerminalControls) {
  try {
    ResolveUrl("http://127.0.0.1:9/v2/", "http://x\x1b]0;title\x07\x1b[2J y/");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "malformed URL 'http://x y/' (relative to http://127.0.0.1:9/v2/)");
  }
}

}  // namespace
}  // namespace berth::http
