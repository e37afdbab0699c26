#include "core/config/project_settings.h"

#include <gtest/gtest.h>

#include <map>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

// Plugins shaped like the bundled ones, and an in-house target and builder
// that declare credential hosts of their own.
ProvidedSchemas Schemas() {
  static const std::map<std::pair<ProvidedKind, std::string>, nlohmann::json> kSchemas = {
      {{ProvidedKind::kSecretStore, "github-actions"},
       SettingsSchema{{"api-url", Setting::Text("").CredentialHosts("github", {"api.github.com"})},
                      {"repository", Setting::Text("")}}
           .ToJson()},
      {{ProvidedKind::kTarget, "paas"},
       SettingsSchema{{"api", Setting::Text("").CredentialHosts("paas", {"paas.example.com"})},
                      {"mirrors", Setting::ListOf(Setting::Text("").CredentialHosts("paas", {"paas.example.com"}), "")},
                      {"replicas", Setting::WholeNumber("")}}
           .ToJson()},
      {{ProvidedKind::kRegistry, "ghcr"},
       SettingsSchema{{"api-url", Setting::Text("").CredentialHosts("github", {"api.github.com"})}}.ToJson()},
      {{ProvidedKind::kBuilder, "remote"},
       SettingsSchema{{"endpoint", Setting::Text("").CredentialHosts("paas", {"build.paas.example.com"})},
                      {"cpus", Setting::WholeNumber("")}}
           .ToJson()},
      {{ProvidedKind::kBuilder, "berth"}, SettingsSchema{{"base", Setting::Text("")}}.ToJson()},
  };
  ProvidedSchemas schemas;
  schemas.schema = [](ProvidedKind kind, const std::string& name) -> std::optional<nlohmann::json> {
    auto it = kSchemas.find({kind, name});
    if (it == kSchemas.end()) return std::nullopt;
    return it->second;
  };
  schemas.names = [](ProvidedKind kind) {
    std::vector<std::string> names;
    for (const auto& [key, schema] : kSchemas) {
      if (key.first == kind) names.push_back(key.second);
    }
    return names;
  };
  return schemas;
}

class ProjectSettingsTest : public ::testing::Test {
 protected:
  fs::path UserConfig() const { return dir_.path() / "user" / "config.yaml"; }

  // The checked project, or the error.
  std::string Check(const std::string& yaml, ProjectConfig* out = nullptr) {
    WriteFileAtomic(dir_.path() / "project" / "berth.yaml", yaml);
    try {
      ProjectConfig project = ProjectConfig::Load(dir_.path() / "project" / "berth.yaml");
      CredentialHostCheck hosts(UserConfig());
      CheckProjectSettings(project, Schemas(), hosts);
      if (out != nullptr) *out = std::move(project);
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      return error.what();
    }
    return "ok";
  }

  std::string Advice(const std::string& platform, const std::string& shown) const {
    return "if it is yours, add credential-hosts: {" + platform + ": [\"" + shown + "\"]} to " + UserConfig().string();
  }

  TempDir dir_{"berth-project-settings-test"};
};

// A trusted project still cannot send GH_TOKEN where it likes: one line
// with the place, the setting, the host, the platform's hosts and the key
// of the user's config that would allow it.
TEST_F(ProjectSettingsTest, ACredentialHostOfBerthYamlMustBeThePlatformsOrAllowedByTheUser) {
  const std::string yaml =
      "service: shop\n"
      "image: registry.example/acme/shop\n"
      "environments:\n"
      "  staging:\n"
      "    target: {plugin: paas, api: \"https://paas.example.com\"}\n"
      "    secrets:\n"
      "      store: github-actions\n"
      "      settings:\n"
      "        api-url: http://127.0.0.1:8443/api\n";
  EXPECT_EQ(Check(yaml),
            "berth.yaml:9:18: environments.staging.secrets.settings.api-url: 127.0.0.1:8443 is not a github host "
            "(api.github.com) and your berth config does not allow it, so it gets no github credentials; " +
                Advice("github", "127.0.0.1:8443") + " (the github-actions secret store)");

  WriteFileAtomic(UserConfig(), "credential-hosts:\n  github: [\"127.0.0.1:8443\"]\n", 0600);
  ProjectConfig project;
  EXPECT_EQ(Check(yaml, &project), "ok");
  EXPECT_EQ(project.environments.at("staging").secrets->settings["api-url"], "http://127.0.0.1:8443/api");
}

// Every block of berth.yaml: an in-house plugin's declared hosts, list
// items, registries' settings, and build settings for whichever builder
// may get them (not only the one named).
TEST_F(ProjectSettingsTest, EveryMarkedValueOfEveryBlockIsChecked) {
  const std::string head = "service: shop\nimage: registry.example/acme/shop\n";
  EXPECT_EQ(Check(head + "environments:\n  prod:\n    target:\n      plugin: paas\n      mirrors: [\"https://paas.example.com\", "
                         "\"https://mirror.example\"]\n"),
            "berth.yaml:7:45: environments.prod.target.mirrors[1]: mirror.example is not a paas host (paas.example.com) and your "
            "berth config does not allow it, so it gets no paas credentials; " +
                Advice("paas", "mirror.example") + " (the paas target)");
  EXPECT_EQ(Check(head + "registries:\n  - repository: ghcr.io/acme/shop\n    plugin: ghcr\n"
                         "    settings: {api-url: \"https://api.github.com.evil.example\"}\n")
                .rfind("berth.yaml:6:25: registries[0].settings.api-url: api.github.com.evil.example is not a github host", 0),
            0u);
  EXPECT_EQ(Check(head + "build:\n  builder: remote\n  endpoint: https://evil.example\n"),
            "berth.yaml:5:13: build.endpoint: evil.example is not a paas host (build.paas.example.com) and your berth config "
            "does not allow it, so it gets no paas credentials; " +
                Advice("paas", "evil.example") + " (the remote builder)");
  EXPECT_EQ(Check(head + "build:\n  settings:\n    endpoint: https://evil.example\n").rfind("berth.yaml:5:15: build.settings.endpoint: ", 0),
            0u);
  // Build settings are the chosen builder's to type-check; here only the marks count.
  EXPECT_EQ(Check(head + "build:\n  builder: remote\n  cpus: many\n  base: debian\n  endpoint: https://build.paas.example.com\n"), "ok");
  EXPECT_EQ(Check(head + "build:\n  builder: berth\n  endpoint: https://evil.example\n"), "ok");
}

// The project has no say: berth.yaml has no field to allow a host, and an
// unreadable user config is read only when a value needs it.
TEST_F(ProjectSettingsTest, OnlyTheUsersConfigAllowsAHost) {
  EXPECT_EQ(Check("service: shop\nimage: registry.example/acme/shop\ncredential-hosts:\n  github: [\"127.0.0.1:8443\"]\n")
                .rfind("berth.yaml:3:1: unknown field 'credential-hosts' in berth.yaml", 0),
            0u);
  WriteFileAtomic(UserConfig(), "credential-hosts: [\n", 0600);
  EXPECT_EQ(Check("service: shop\nimage: registry.example/acme/shop\nenvironments:\n  prod:\n    target: {plugin: paas, api: \"https://paas.example.com\"}\n"), "ok");
  EXPECT_EQ(Check("service: shop\nimage: registry.example/acme/shop\nenvironments:\n  prod:\n    target: {plugin: paas, api: \"https://x.example\"}\n"),
            UserConfig().string() + ": not valid YAML (line 2)");
}

}  // namespace
}  // namespace berth::host
