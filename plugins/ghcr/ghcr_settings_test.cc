#include "ghcr_schema.h"
#include "ghcr_settings.h"

#include <gtest/gtest.h>

#include <map>

#include "actions_secret_store.h"
#include "berth/util/fs.h"
#include "error_message.h"
#include "ghcr_registry.h"
#include "packages.h"

namespace berth::ghcr {
namespace {

using berth::testing::ErrorMessageOf;

EnvFn Env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

TEST(GhcrSettingsTest, ApiUrlPrecedence) {
  EXPECT_EQ(GhcrSettings::Parse(nullptr, Env({})).api_url, "https://api.github.com");
  EXPECT_EQ(GhcrSettings::Parse(nullptr, Env({{"GITHUB_API_URL", "https://ghe.example/api/v3/"}})).api_url,
            "https://ghe.example/api/v3");
  EXPECT_EQ(GhcrSettings::Parse(nullptr, Env({{"GITHUB_API_URL", "https://a"}, {"BERTH_GHCR_API_URL", "https://b"}})).api_url, "https://b");
  EXPECT_EQ(GhcrSettings::Parse({{"api-url", "https://c"}}, Env({{"BERTH_GHCR_API_URL", "https://b"}})).api_url, "https://c");
  EXPECT_EQ(GhcrSettings::Parse({{"api-base", "http://127.0.0.1:8080"}}, Env({})).api_url, "http://127.0.0.1:8080");
}

TEST(GhcrSettingsTest, EnterpriseHostDerivesItsApi) {
  GhcrSettings derived = GhcrSettings::Parse(nullptr, Env({})).WithHost("containers.ghe.example");
  EXPECT_EQ(derived.registry_host, "containers.ghe.example");
  EXPECT_EQ(derived.api_url, "https://ghe.example/api/v3");
  GhcrSettings explicit_url = GhcrSettings::Parse({{"api-url", "https://api.corp"}}, Env({})).WithHost("containers.ghe.example");
  EXPECT_EQ(explicit_url.api_url, "https://api.corp");
}

TEST(GhcrSettingsTest, RefusesBadSettings) {
  ErrorCode code{};
  EXPECT_EQ(ErrorMessageOf([] { CheckGhcrSettings({{"apiurl", "x"}}, "registries.yaml ghcr.io.settings"); }, &code),
            "settings of the ghcr plugin: registries.yaml ghcr.io.settings.apiurl: unknown setting (did you mean 'api-url'?)");
  EXPECT_EQ(code, ErrorCode::kInvalidInput);
  EXPECT_EQ(ErrorMessageOf([] { CheckGhcrSettings({{"owner-type", "team"}}, "s"); }),
            "settings of the ghcr plugin: s.owner-type: 'team' is not one of org, user");
  EXPECT_EQ(GhcrSettings::Parse(CheckGhcrSettings({{"rate-limit-wait", "2m"}}, "s"), Env({})).rate_limit_wait.count(), 120);
  EXPECT_EQ(ErrorMessageOf([] { GhcrSettings::Parse({{"api-url", "http://ghe.example/api/v3"}}, Env({})); }),
            "ghcr settings: api-url 'http://ghe.example/api/v3' is plain HTTP to another machine; use https://");
  // This machine is an address, not a name that starts like one.
  for (const std::string url : {"http://127.evil.example/api", "http://[2001:db8::1]:8080", "http://localhost.evil.example"}) {
    EXPECT_EQ(ErrorMessageOf([&] { GhcrSettings::Parse({{"api-url", url}}, Env({})); }),
              "ghcr settings: api-url '" + url + "' is plain HTTP to another machine; use https://");
  }
  for (const std::string url : {"http://127.0.0.2:9", "http://[::1]:8080", "http://LOCALHOST:1"}) {
    EXPECT_EQ(GhcrSettings::Parse({{"api-url", url}}, Env({})).api_url, url);
  }
  EXPECT_EQ(ErrorMessageOf([] { GhcrSettings::Parse({{"owner-type", "team"}}, Env({})); }),
            "ghcr settings: owner-type must be 'org' or 'user', not 'team'");
  EXPECT_EQ(ErrorMessageOf([] { GhcrSettings::Parse({{"rate-limit-wait", "soon"}}, Env({})); }),
            "ghcr settings: rate-limit-wait must be a number of seconds from 0 to 3600");
  EXPECT_EQ(GhcrSettings::Parse({{"rate-limit-wait", 5}}, Env({})).rate_limit_wait.count(), 5);
  EXPECT_EQ(GhcrSettings::Parse({{"rate-limit-wait", "7"}}, Env({})).rate_limit_wait.count(), 7);
}

TEST(GhcrSettingsTest, TokenOrder) {
  TempDir dir;
  WriteFileAtomic(dir.path() / "pat", "ghp_fromfile\n", 0600);
  auto env = Env({{"GH_TOKEN", "ghp_gh"}, {"GITHUB_TOKEN", "ghp_github"}, {"GH_ENTERPRISE_TOKEN", "ghp_ghe"},
                  {"BERTH_GHCR_TOKEN_FILE", (dir.path() / "pat").string()}});
  auto from_file = FindToken(GhcrSettings::Parse(nullptr, env), false, env);
  ASSERT_TRUE(from_file);
  EXPECT_EQ(from_file->token.Reveal(), "ghp_fromfile");
  EXPECT_EQ(from_file->origin, (dir.path() / "pat").string());

  auto no_file = Env({{"GH_TOKEN", "ghp_gh"}, {"GITHUB_TOKEN", "ghp_github"}, {"GH_ENTERPRISE_TOKEN", "ghp_ghe"}});
  auto gh = FindToken(GhcrSettings::Parse(nullptr, no_file), false, no_file);
  EXPECT_EQ(gh->token.Reveal(), "ghp_gh");
  EXPECT_EQ(gh->origin, "GH_TOKEN");
  auto ghe = FindToken(GhcrSettings::Parse(nullptr, no_file).WithHost("containers.ghe.example"), false, no_file);
  EXPECT_EQ(ghe->origin, "GH_ENTERPRISE_TOKEN");
  auto github_only = Env({{"GITHUB_TOKEN", "ghp_github"}});
  EXPECT_EQ(FindToken(GhcrSettings::Parse(nullptr, github_only), false, github_only)->origin, "GITHUB_TOKEN");
  EXPECT_FALSE(FindToken(GhcrSettings::Parse(nullptr, Env({})), false, Env({})));
}

TEST(GhcrSettingsTest, RegistryCredentialIsBasicWithTheActor) {
  auto env = Env({{"GITHUB_TOKEN", "ghs_actions_token"}, {"GITHUB_ACTOR", "octocat"}});
  GhcrRegistry registry(GhcrSettings::Parse(nullptr, env), env);
  auto credential = registry.GetCredential("ghcr.io", {"repository:acme/web:pull"}).value();
  ASSERT_TRUE(credential);
  EXPECT_EQ(credential->kind, oci::Credential::Kind::kBasic);
  EXPECT_EQ(credential->username, "octocat");
  EXPECT_EQ(credential->secret.Reveal(), "ghs_actions_token");
  GhcrRegistry anonymous(GhcrSettings::Parse(nullptr, Env({})), Env({}));
  EXPECT_FALSE(anonymous.GetCredential("ghcr.io", {}).value());
}

TEST(GhcrNamingTest, RepositoriesAndOwners) {
  EXPECT_NO_THROW(CheckGhcrRepository("acme/team/web"));
  EXPECT_NO_THROW(CheckGhcrRepository("a-b-c/x"));
  EXPECT_EQ(ErrorMessageOf([] { CheckGhcrRepository("web"); }), "ghcr: 'web' is not OWNER/NAME (ghcr images live under a user or organisation)");
  EXPECT_EQ(ErrorMessageOf([] { CheckGhcrRepository("-acme/web"); }),
            "ghcr: owner '-acme' is not a GitHub user or organisation name (lower-case letters, digits and single inner hyphens, at "
            "most 39 characters)");
  EXPECT_NE(ErrorMessageOf([] { CheckGhcrRepository("ac--me/web"); }), "");
  EXPECT_NE(ErrorMessageOf([] { CheckGhcrRepository("a_b/web"); }), "");
  EXPECT_NE(ErrorMessageOf([] { CheckGhcrRepository(std::string(40, 'a') + "/web"); }), "");
  PackageRef ref = PackageRef::FromRepository("acme/team/web");
  EXPECT_EQ(ref.owner, "acme");
  EXPECT_EQ(ref.package, "team/web");
  EXPECT_EQ(PathSegment(ref.package), "team%2Fweb");
}

TEST(GhcrNamingTest, SecretNames) {
  EXPECT_NO_THROW(CheckSecretName("DB_PASSWORD"));
  EXPECT_NO_THROW(CheckSecretName("_x1"));
  for (std::string bad : {"", "1ABC", "github_token", "A-B", "A B"}) {
    EXPECT_NE(ErrorMessageOf([&] { CheckSecretName(bad); }), "") << bad;
  }
}

TEST(GhcrNamingTest, SecretStoreNeedsARepositoryAndAToken) {
  ErrorCode code{};
  EXPECT_EQ(ErrorMessageOf([] { ActionsSecretStore(GhcrSettings::Parse(nullptr, Env({})), Env({{"GH_TOKEN", "ghp_x"}})); }, &code),
            "github-actions: setting 'repository' must be OWNER/REPO (none given)");
  EXPECT_EQ(code, ErrorCode::kInvalidInput);
  EXPECT_EQ(ErrorMessageOf([] { ActionsSecretStore(GhcrSettings::Parse({{"repository", "acme/shop"}}, Env({})), Env({})); }, &code),
            "github-actions: no GitHub token for acme/shop (set GH_TOKEN or GITHUB_TOKEN, or the setting token-file; it needs the "
            "repo scope)");
  EXPECT_EQ(code, ErrorCode::kAuth);
}

// Every setting that decides where GH_TOKEN goes, or which certificate its
// connection accepts, needs the user's trust in a cloned berth.yaml.
TEST(GhcrSettingsTest, SettingsThatDecideWhereTheTokenGoesNeedTrust) {
  const nlohmann::json properties = GhcrSchema().ToJson()["properties"];
  for (const char* name : {"registry", "api-url", "api-base", "ca-file"}) {
    EXPECT_EQ(properties[name].value("x-berth-trust", ""), "endpoint") << name;
  }
  EXPECT_EQ(properties["token-file"].value("x-berth-trust", ""), "credential-file");
}

}  // namespace
}  // namespace berth::ghcr
