#include "gcp_settings.h"
#include "gcp_schema.h"

#include <gtest/gtest.h>

#include "berth/error.h"

namespace berth::gcp {
namespace {

ErrorCode CodeOf(const nlohmann::json& settings, std::string* message = nullptr) {
  try {
    GcpSettings::Parse(settings, "test");
  } catch (const Error& error) {
    if (message) *message = error.what();
    return error.code();
  }
  return ErrorCode::kOk;
}

TEST(GcpSettingsTest, DefaultsPointAtGoogle) {
  GcpSettings settings = GcpSettings::Parse(nlohmann::json::object(), "test");
  EXPECT_EQ(settings.scopes, std::vector<std::string>{kCloudPlatformScope});
  EXPECT_EQ(settings.artifactregistry_url, "https://artifactregistry.googleapis.com");
  EXPECT_EQ(settings.secretmanager_url, "https://secretmanager.googleapis.com");
  EXPECT_EQ(settings.metadata, MetadataMode::kAuto);
  EXPECT_TRUE(settings.gcloud);
  EXPECT_EQ(settings.prefix, "{environment}--");
}

TEST(GcpSettingsTest, TakesYamlValuesAndSettingStrings) {
  GcpSettings settings = GcpSettings::Parse(
      {{"key-file", "/k.json"}, {"token-uri", "http://127.0.0.1:9/token"}, {"scopes", "a,b c"},
       {"artifactregistry-url", "http://127.0.0.1:9/"}, {"secretmanager-url", "https://sm.example"},
       {"metadata", "false"}, {"gcloud", false}, {"location", "us"}, {"project", "p"}, {"prefix", ""},
       {"replication-locations", nlohmann::json::array({"us-east1", "europe-west1"})}},
      "test");
  EXPECT_EQ(settings.key_file, "/k.json");
  EXPECT_EQ(settings.token_uri, "http://127.0.0.1:9/token");
  EXPECT_EQ(settings.scopes, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(settings.artifactregistry_url, "http://127.0.0.1:9");
  EXPECT_EQ(settings.metadata, MetadataMode::kNever);
  EXPECT_FALSE(settings.gcloud);
  EXPECT_EQ(settings.replication_locations, (std::vector<std::string>{"us-east1", "europe-west1"}));
  EXPECT_EQ(GcpSettings::Parse({{"metadata", true}}, "t").metadata, MetadataMode::kAlways);
}

TEST(GcpSettingsTest, RefusesUnknownKeysAndCleartextUrls) {
  std::string message;
  try {
    CheckGcpSettings({{"keyfile", "x"}}, "test");
    ADD_FAILURE() << "an unknown key passed";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "settings of the gcp-artifact plugin: test.keyfile: unknown setting (did you mean 'key-file'?)");
  }
  EXPECT_EQ(CodeOf({{"token-uri", "http://oauth.example/token"}}, &message), ErrorCode::kInvalidInput);
  EXPECT_EQ(message, "test.token-uri: 'http://oauth.example/token' is plain http on a non-loopback host; credentials only travel over https");
  EXPECT_EQ(CodeOf({{"secretmanager-url", "ftp://x"}}), ErrorCode::kInvalidInput);
  EXPECT_EQ(CodeOf({{"gcloud", "maybe"}}), ErrorCode::kInvalidInput);
  EXPECT_EQ(CodeOf({{"scopes", nlohmann::json::array()}}), ErrorCode::kInvalidInput);
  EXPECT_EQ(CodeOf({{"artifactregistry-url", "http://[::1]:8080"}}), ErrorCode::kOk);
  EXPECT_EQ(CodeOf({{"artifactregistry-url", "http://localhost"}}), ErrorCode::kOk);
}

}  // namespace
}  // namespace berth::gcp
