// Declared plugin settings as a user meets them: mistakes in berth.yaml
// reported at the line and column that holds them, naming the plugin's kind,
// before any plugin runs; and the JSON Schema of berth.yaml for editors.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {

void WriteProject(const BerthRunner& berth, const std::string& environments) {
  WriteFileAtomic(berth.work_dir() / "berth.yaml",
                  "service: shop\n"
                  "image: 127.0.0.1:5000/shop\n"
                  "environments:\n" +
                      environments);
}

TEST(SettingsSchemaE2eTest, UnknownTargetSettingPointsAtItsLine) {
  BerthRunner berth;
  WriteProject(berth,
               "  staging:\n"
               "    target:\n"
               "      plugin: k8s\n"
               "      replcas: 2\n");
  auto result = berth.Run({"status", "staging"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data,
            "error: berth.yaml:7:16: environments.staging.target.replcas: unknown setting (did you mean 'replicas'?) "
            "(the k8s target)\n");
}

TEST(SettingsSchemaE2eTest, WrongTypeAndBadChoiceNameTheValue) {
  BerthRunner berth;
  WriteProject(berth,
               "  staging:\n"
               "    target:\n"
               "      plugin: k8s\n"
               "      replicas: two\n");
  auto result = berth.Run({"status", "staging"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data,
            "error: berth.yaml:7:17: environments.staging.target.replicas: must be a whole number (the k8s target)\n");
  WriteProject(berth,
               "  staging:\n"
               "    target:\n"
               "      plugin: k8s\n"
               "      ports:\n"
               "        - {port: 8080, protocol: tpc}\n");
  result = berth.Run({"status", "staging"});
  EXPECT_EQ(result.stderr_data,
            "error: berth.yaml:8:34: environments.staging.target.ports[0].protocol: 'tpc' is not one of TCP, UDP, SCTP "
            "(did you mean 'TCP'?) (the k8s target)\n");
}

// A mistake in one environment stops every command that reads berth.yaml,
// as a compiler stops at a syntax error anywhere in the file.
TEST(SettingsSchemaE2eTest, SecretStoreSettingsAreCheckedToo) {
  BerthRunner berth;
  WriteProject(berth,
               "  staging:\n"
               "    target: {plugin: k8s}\n"
               "    secrets:\n"
               "      store: file\n"
               "      settings:\n"
               "        dirr: secrets\n");
  auto result = berth.Run({"secrets", "list", "staging"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data,
            "error: berth.yaml:9:15: environments.staging.secrets.settings.dirr: unknown setting (did you mean 'dir'?) "
            "(the file secret store)\n");
}

// A declared path is relative to the project, wherever berth runs from.
TEST(SettingsSchemaE2eTest, PathsAreRelativeToTheProject) {
  BerthRunner berth;
  WriteProject(berth,
               "  staging:\n"
               "    target: {plugin: k8s}\n"
               "    secrets:\n"
               "      store: file\n"
               "      settings: {dir: state/secrets}\n");
  std::filesystem::create_directories(berth.work_dir() / "sub");
  auto set = berth.RunUnder({"sh", "-c", "cd sub && printf 'not-a-real-key-123' | \"$@\"", "sh"},
                            {"secrets", "set", "staging", "API_KEY"});
  ASSERT_EQ(set.exit_code, 0) << set.stderr_data;
  EXPECT_TRUE(std::filesystem::exists(berth.work_dir() / "state" / "secrets" / "staging.json"));
}

// --kubeconfig exists because the k8s target declares it, and only for
// environments whose target declares it.
TEST(SettingsSchemaE2eTest, TargetFlagsComeFromTheTargetsSchema) {
  BerthRunner berth;
  WriteProject(berth,
               "  prod:\n"
               "    target: {plugin: micros}\n");
  auto help = berth.Run({"status", "--help"});
  EXPECT_NE(help.stdout_data.find("--kubeconfig"), std::string::npos) << help.stdout_data;
  EXPECT_NE(help.stdout_data.find("[k8s targets]"), std::string::npos) << help.stdout_data;
  auto result = berth.Run({"status", "prod", "--kubeconfig", "kube.yaml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data, "error: --kubeconfig is a setting of k8s targets; environment 'prod' deploys with micros\n");
}

TEST(SettingsSchemaE2eTest, SchemaCoversTheInstalledPlugins) {
  BerthRunner berth;
  auto result = berth.Run({"schema"});
  ASSERT_EQ(result.exit_code, 0) << result.stderr_data;
  nlohmann::json schema = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(schema["title"], "berth.yaml");
  const nlohmann::json& target = schema["properties"]["environments"]["additionalProperties"]["properties"]["target"];
  bool k8s_found = false;
  for (const auto& rule : target["allOf"]) {
    if (rule["if"]["properties"]["plugin"]["const"] != "k8s") continue;
    k8s_found = true;
    EXPECT_EQ(rule["then"]["properties"]["replicas"]["type"], "integer");
    EXPECT_EQ(rule["then"]["properties"]["kubeconfig"]["x-berth-trust"], "credential-file");
    EXPECT_EQ(rule["then"]["additionalProperties"], false);
  }
  EXPECT_TRUE(k8s_found) << target.dump();
  const nlohmann::json& secrets = schema["properties"]["environments"]["additionalProperties"]["properties"]["secrets"];
  EXPECT_NE(secrets["properties"]["store"]["enum"].dump().find("\"file\""), std::string::npos);
  // Where a store's credentials may go shows too (CredentialHosts).
  bool github_found = false;
  for (const auto& rule : secrets["allOf"]) {
    if (rule["if"]["properties"]["store"]["const"] != "github-actions") continue;
    github_found = true;
    const nlohmann::json& api_url = rule["then"]["properties"]["settings"]["properties"]["api-url"];
    EXPECT_EQ(api_url["x-berth-trust"], "endpoint");
    EXPECT_EQ(api_url["x-berth-credential-hosts"], nlohmann::json({{"platform", "github"}, {"hosts", {"api.github.com"}}}));
  }
  EXPECT_TRUE(github_found) << secrets.dump();
}

}  // namespace
}  // namespace berth::testing
