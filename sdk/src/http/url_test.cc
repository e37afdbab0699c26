#include "berth/http/url.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace berth::http
