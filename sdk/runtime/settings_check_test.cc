#include <gtest/gtest.h>

#include <cstdlib>

#include "berth/error.h"
#include "berth/settings.h"

namespace berth {
namespace {

std::string ErrorOf(const nlohmann::json& schema, const nlohmann::json& settings, const SettingsOrigin& origin) {
  try {
    CheckSettings(schema, settings, origin);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    return error.what();
  }
  return "no error";
}

SettingsOrigin Plain() {
  SettingsOrigin origin;
  origin.owner = "the paas target";
  return origin;
}

const SettingsSchema kSchema{
    {"api", Setting::Text("API base URL").Required().Endpoint()},
    {"replicas", Setting::WholeNumber("Instances").AtLeast(1).Default(2)},
    {"timeout", Setting::Duration("Rollout time").Default(300)},
    {"config", Setting::Path("A file")},
    {"token", Setting::Text("A token").Secret()},
    {"tier", Setting::Choice({"small", "large"}, "Size")},
    {"labels", Setting::TextMap("Labels")},
    {"checks", Setting::ListOf(Setting::Group(SettingsSchema{{"path", Setting::Text("").Required()}}, ""), "Checks")},
};

TEST(SettingsCheckTest, FillsDefaultsAndNormalizes) {
  setenv("HOME", "/home/someone", 1);
  SettingsOrigin origin = Plain();
  origin.base_dir = "/projects/shop";
  nlohmann::json out = CheckSettings(
      kSchema.ToJson(), {{"api", "https://paas.test"}, {"timeout", "5m"}, {"config", "deploy/paas.json"}, {"labels", {{"n", 1}}}},
      origin);
  EXPECT_EQ(out["replicas"], 2);
  EXPECT_EQ(out["timeout"], 300);
  EXPECT_EQ(out["config"], "/projects/shop/deploy/paas.json");
  EXPECT_EQ(out["labels"]["n"], "1");
  EXPECT_EQ(CheckSettings(kSchema.ToJson(), {{"api", "x"}, {"config", "~/paas.json"}}, origin)["config"], "/home/someone/paas.json");
  EXPECT_EQ(CheckSettings(kSchema.ToJson(), {{"api", "x"}, {"timeout", 90}}, origin)["timeout"], 90);
  // Checking twice changes nothing: the host checks again whatever reaches a factory.
  EXPECT_EQ(CheckSettings(kSchema.ToJson(), out, origin), out);
}

// YAML's own typing of a scalar must not change what the user wrote.
TEST(SettingsCheckTest, TextKeepsTheScalarAsWritten) {
  SettingsOrigin origin = Plain();
  origin.scalar_text = [](const std::string& pointer) -> std::optional<std::string> {
    if (pointer == "/api") return "1.10";
    return std::nullopt;
  };
  EXPECT_EQ(CheckSettings(kSchema.ToJson(), {{"api", 1.1}}, origin)["api"], "1.10");
}

TEST(SettingsCheckTest, EachMistakeHasItsOwnLine) {
  const nlohmann::json schema = kSchema.ToJson();
  EXPECT_EQ(ErrorOf(schema, nlohmann::json::object(), Plain()), "settings of the paas target: missing required setting 'api'");
  EXPECT_EQ(ErrorOf(schema, {{"api", "x"}, {"replicas", 0}}, Plain()), "settings of the paas target: replicas: must be at least 1");
  EXPECT_EQ(ErrorOf(schema, {{"api", "x"}, {"timeout", "5 minutes"}}, Plain()),
            "settings of the paas target: timeout: must be a duration like 90s, 5m or 1h");
  EXPECT_EQ(ErrorOf(schema, {{"api", "x"}, {"tier", "Large"}}, Plain()),
            "settings of the paas target: tier: 'Large' is not one of small, large (did you mean 'large'?)");
  EXPECT_EQ(ErrorOf(schema, {{"api", {{"url", "x"}}}}, Plain()), "settings of the paas target: api: must be text");
  EXPECT_EQ(ErrorOf(schema, {{"api", "x"}, {"checks", {{{"pth", "/"}}}}}, Plain()),
            "settings of the paas target: checks[0].pth: unknown setting (did you mean 'path'?)");
  EXPECT_EQ(ErrorOf(schema, {{"api", "x"}, {"zone", "eu"}}, Plain()),
            "settings of the paas target: zone: unknown setting (known: api, checks, config, labels, replicas, tier, "
            "timeout, token)");
}

TEST(SettingsCheckTest, PlacesComeFromTheOrigin) {
  SettingsOrigin origin = Plain();
  origin.field = "environments.prod.target";
  origin.locate = [](const std::string& pointer) { return pointer == "/checks/0/pth" ? "berth.yaml:12:9" : "berth.yaml:3:5"; };
  EXPECT_EQ(ErrorOf(kSchema.ToJson(), {{"api", "x"}, {"checks", {{{"pth", "/"}}}}}, origin),
            "berth.yaml:12:9: environments.prod.target.checks[0].pth: unknown setting (did you mean 'path'?) (the paas target)");
  EXPECT_EQ(ErrorOf(kSchema.ToJson(), nlohmann::json::object(), origin),
            "berth.yaml:3:5: environments.prod.target: missing required setting 'api' (the paas target)");
}

TEST(SettingsCheckTest, SecretsAreHandedToTheRedactor) {
  SettingsOrigin origin = Plain();
  std::vector<std::string> secrets;
  origin.on_secret = [&](const std::string& value) { secrets.push_back(value); };
  CheckSettings(kSchema.ToJson(), {{"api", "x"}, {"token", "tok-123456789"}}, origin);
  EXPECT_EQ(secrets, std::vector<std::string>{"tok-123456789"});
}

// The mark a plugin writes once, and what the host reads from it: where
// the credentials may go, and that the setting needs trust as an endpoint.
TEST(SettingsCheckTest, CredentialHostsMarkTheSchemaAsAnEndpoint) {
  nlohmann::json setting = Setting::Text("The API").CredentialHosts("github", {"api.github.com"}).ToJson();
  EXPECT_EQ(setting["x-berth-trust"], "endpoint");
  EXPECT_EQ(setting["x-berth-credential-hosts"], nlohmann::json({{"platform", "github"}, {"hosts", {"api.github.com"}}}));
  nlohmann::json list = SettingsSchema{{"mirrors", Setting::ListOf(Setting::Text("").CredentialHosts("google", {"a.test"}), "")}}.ToJson();
  EXPECT_EQ(list["properties"]["mirrors"]["items"]["x-berth-credential-hosts"]["platform"], "google");
}

// The check is the host's to give (origin.credential_host_refusal): each
// marked value, list items included, is handed over, and a message refuses
// it at its place; without the hook (a plugin's own check, the harness)
// nothing is refused.
TEST(SettingsCheckTest, MarkedValuesGoThroughTheCredentialHostCheck) {
  const nlohmann::json schema = SettingsSchema{
      {"api", Setting::Text("").CredentialHosts("github", {"api.github.com"})},
      {"mirrors", Setting::ListOf(Setting::Text("").CredentialHosts("github", {"api.github.com"}), "")},
      {"docs", Setting::Text("")}}.ToJson();
  SettingsOrigin origin = Plain();
  origin.field = "environments.prod.secrets.settings";
  origin.locate = [](const std::string& pointer) { return "berth.yaml:" + std::to_string(pointer.size()) + ":3"; };
  std::vector<std::string> seen;
  origin.credential_host_refusal = [&](const nlohmann::json& mark, const std::string& value) -> std::optional<std::string> {
    seen.push_back(mark["platform"].get<std::string>() + " " + value);
    if (value.find("evil") != std::string::npos) return "evil.test is not a github host";
    return std::nullopt;
  };
  const nlohmann::json fine = {{"api", "https://api.github.com"}, {"mirrors", {"https://m.test"}}, {"docs", "https://evil.test"}};
  EXPECT_EQ(CheckSettings(schema, fine, origin), fine);
  EXPECT_EQ(seen, (std::vector<std::string>{"github https://api.github.com", "github https://m.test"}));
  EXPECT_EQ(ErrorOf(schema, {{"mirrors", {"https://ok.test", "https://evil.test"}}}, origin),
            "berth.yaml:10:3: environments.prod.secrets.settings.mirrors[1]: evil.test is not a github host (the paas target)");
  EXPECT_EQ(ErrorOf(schema, {{"api", "https://evil.test"}}, Plain()), "no error");
}

TEST(SettingsCheckTest, NoSchemaPassesSettingsAsWritten) {
  nlohmann::json settings = {{"anything", {1, 2}}};
  EXPECT_EQ(CheckSettings(nullptr, settings, Plain()), settings);
  EXPECT_FALSE(SettingsSchema().declared());
}

TEST(SettingsCheckTest, Durations) {
  EXPECT_EQ(ParseDurationSeconds("90"), 90);
  EXPECT_EQ(ParseDurationSeconds("90s"), 90);
  EXPECT_EQ(ParseDurationSeconds("5m"), 300);
  EXPECT_EQ(ParseDurationSeconds("2h"), 7200);
  EXPECT_EQ(ParseDurationSeconds("5d"), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds(""), std::nullopt);
  EXPECT_EQ(ParseDurationSeconds("99999999s"), std::nullopt);
}

}  // namespace
}  // namespace berth
