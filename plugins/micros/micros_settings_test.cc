#include "micros_settings.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/settings.h"
#include "berth/util/fs.h"
#include "micros_schema.h"

namespace berth::micros {
namespace {

// As the target gets them: checked by the host against the declared schema,
// then read by the plugin.
MicrosSettings ParseChecked(const std::string& json) {
  SettingsOrigin origin;
  origin.owner = "the micros target";
  return MicrosSettings::Parse(CheckSettings(TargetSchema().ToJson(), nlohmann::json::parse(json), origin), "shop-api",
                               "staging");
}

std::string ErrorOf(const std::string& json) {
  try {
    ParseChecked(json);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    return e.what();
  }
  return "no error";
}

TEST(MicrosSettingsTest, DefaultsComeFromTheProject) {
  MicrosSettings settings = MicrosSettings::Parse(nlohmann::json::object(), "shop-api", "staging");
  EXPECT_EQ(settings.service, "shop-api");
  EXPECT_EQ(settings.env, "staging");
  EXPECT_EQ(settings.atlas, "atlas");
  EXPECT_EQ(settings.health_path, "/api/health");
  EXPECT_EQ(settings.container, "app");
  EXPECT_TRUE(settings.create_service);
  EXPECT_FALSE(settings.service_discovery);
  EXPECT_EQ(settings.atlas_timeout, std::chrono::seconds(120));
}

TEST(MicrosSettingsTest, EverySetting) {
  MicrosSettings settings = ParseChecked(R"({
      "service": "shop", "env": "stg-west", "atlas": "/opt/atlas/bin/atlas", "atlas_timeout": "5m",
      "create_service": false, "service_discovery": true, "descriptor": "deploy/sd.tmpl.yml", "health_path": "/healthcheck",
      "container": "web", "ports": [8080, "9090:9090"], "environment": {"DEBUG": false, "WORKERS": 4},
      "secrets": {"DATABASE_PASSWORD": "db.password"}, "scaling": {"min": 2, "max": 5, "instance": "m5.large"}})");
  EXPECT_EQ(settings.service, "shop");
  EXPECT_EQ(settings.env, "stg-west");
  EXPECT_EQ(settings.atlas_timeout, std::chrono::seconds(300));
  EXPECT_FALSE(settings.create_service);
  EXPECT_TRUE(settings.service_discovery);
  EXPECT_EQ(settings.ports, (std::vector<std::string>{"8080", "9090:9090"}));
  EXPECT_EQ(settings.environment, (std::map<std::string, std::string>{{"DEBUG", "false"}, {"WORKERS", "4"}}));
  EXPECT_EQ(settings.secrets, (std::map<std::string, std::string>{{"DATABASE_PASSWORD", "db.password"}}));
  EXPECT_EQ(settings.scaling.min, 2);
  EXPECT_EQ(settings.scaling.instance, "m5.large");
  // Declared paths are made absolute by the host, relative to the project.
  EXPECT_EQ(settings.TemplateIn("/project"), std::filesystem::current_path() / "deploy/sd.tmpl.yml");
  EXPECT_EQ(MicrosSettings::Parse({{"descriptor", "deploy/sd.tmpl.yml"}}, "shop-api", "staging").TemplateIn("/project"),
            std::filesystem::path("/project/deploy/sd.tmpl.yml"));
}

TEST(MicrosSettingsTest, TemplateDefaultsToTheFileWhenPresent) {
  TempDir dir("micros-settings-test");
  MicrosSettings settings = MicrosSettings::Parse(nlohmann::json::object(), "shop-api", "staging");
  EXPECT_EQ(settings.TemplateIn(dir.path()), std::nullopt);
  WriteFileAtomic(dir.path() / "service-descriptor.tmpl.yml", "name: {{ service }}\n");
  EXPECT_EQ(settings.TemplateIn(dir.path()), dir.path() / "service-descriptor.tmpl.yml");
}

TEST(MicrosSettingsTest, MistakesAreNamed) {
  EXPECT_EQ(ErrorOf(R"({"atlass": "/x"})"), "settings of the micros target: atlass: unknown setting (did you mean 'atlas'?)");
  EXPECT_EQ(ErrorOf(R"({"env": "Staging"})"),
            "micros target setting 'env' 'Staging' is not a Micros environment name (lowercase letters, digits, '-'); map "
            "this berth environment with target.env");
  EXPECT_EQ(ErrorOf(R"({"atlas_timeout": "soon"})"), "settings of the micros target: atlas_timeout: must be a duration like 90s, 5m or 1h");
  EXPECT_EQ(ErrorOf(R"({"scaling": {"min": 4, "max": 2}})"), "micros target setting 'scaling' min is greater than max");
  EXPECT_EQ(ErrorOf(R"({"secrets": ["db.password"]})"), "micros target setting 'secrets' has an invalid variable name 'db.password'");
  EXPECT_EQ(ErrorOf(R"({"secrets": {"A": "x"}, "environment": {"A": "1"}})"),
            "micros target setting 'secrets' variable A is also in 'environment'");
  EXPECT_EQ(ErrorOf(R"({"health_path": "api/health"})"), "micros target setting 'health_path' must start with '/'");
  EXPECT_EQ(ErrorOf(R"({"ports": ["http"]})"), "micros target setting 'ports' entries must look like 8080 or \"8080:8080\"");
}

TEST(StashSettingsTest, NeedsAServiceAndChecksNames) {
  StashSettings settings = StashSettings::Parse(nlohmann::json::parse(R"({"service": "shop-api", "env": "stg-west"})"));
  EXPECT_EQ(settings.service, "shop-api");
  EXPECT_EQ(settings.env, "stg-west");
  EXPECT_EQ(settings.atlas, "atlas");
  try {
    StashSettings::Parse(nlohmann::json::object());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "micros-stash needs a service: run it in a project with berth.yaml's service, or set "
                           "environments.ENV.secrets.settings.service (or --setting service=NAME)");
  }
  SettingsOrigin origin;
  origin.owner = "the micros-stash secret store";
  EXPECT_THROW(CheckSettings(StashSchema().ToJson(), nlohmann::json::parse(R"({"service": "shop-api", "dir": "/tmp"})"), origin),
               Error);
  EXPECT_THROW(StashSettings::Parse(nlohmann::json::parse(R"({"service": "Shop"})")), Error);
}

}  // namespace
}  // namespace berth::micros
