// The ghcr plugin's GitHub API client, packages and secret store against the
// GitHub REST API stand-in (GitHub itself cannot be reached from tests).
#include <gtest/gtest.h>
#include <sodium.h>

#include "actions_secret_store.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "error_message.h"
#include "github_api.h"
#include "github_standin_test_util.h"
#include "packages.h"

namespace berth::ghcr {
namespace {

using berth::testing::ErrorMessageOf;
using testing::GitHubStandin;

std::string Hex(int n) {
  char buffer[65];
  snprintf(buffer, sizeof buffer, "%064x", n);
  return buffer;
}

ApiOptions Options(const GitHubStandin& standin, const std::string& token) {
  ApiOptions options;
  options.base_url = standin.url();
  options.token = SecretValue(token);
  options.token_origin = "the test";
  options.initial_backoff = std::chrono::milliseconds(10);
  return options;
}

TEST(GitHubApiTest, NextLinkParsing) {
  EXPECT_EQ(NextLink("<https://api.github.com/x?page=2>; rel=\"next\", <https://api.github.com/x?page=5>; rel=\"last\""),
            "https://api.github.com/x?page=2");
  EXPECT_EQ(NextLink("<https://a/x?page=1>; rel=\"prev\", <https://a/x?page=3>; rel=\"next\""), "https://a/x?page=3");
  EXPECT_FALSE(NextLink("<https://a/x?page=1>; rel=\"prev\""));
  EXPECT_FALSE(NextLink(""));
}

TEST(GitHubApiTest, ListsEveryPageOfANestedPackage) {
  GitHubStandin standin;
  nlohmann::json versions = nlohmann::json::array();
  for (int i = 0; i < 250; ++i) versions.push_back({{"id", 5000 + i}, {"name", "sha256:" + Hex(i)}, {"tags", {std::string("v").append(std::to_string(i))}}});
  standin.Control("POST", "/_standin/packages", {{"orgs", {{"acme", {{"team/web", versions}}}}}});
  GitHubApi api(Options(standin, standin.token()));
  Packages packages(api, "");
  auto listed = packages.List(PackageRef::FromRepository("acme/team/web"));
  ASSERT_EQ(listed.size(), 250u);
  EXPECT_EQ(listed[0].id, 5000);
  EXPECT_EQ(listed[249].digest, "sha256:" + Hex(249));
  EXPECT_EQ(listed[7].tags, std::vector<std::string>{"v7"});
  EXPECT_EQ(packages.owner_path(), "/orgs/acme");
  auto journal = standin.Journal();
  ASSERT_EQ(journal.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(journal[i]["path"], "/orgs/acme/packages/container/team%2Fweb/versions");
    EXPECT_EQ(journal[i]["query"]["per_page"], nlohmann::json({"100"}));
    EXPECT_EQ(journal[i]["headers"]["X-GitHub-Api-Version"], kApiVersion);
  }
  EXPECT_EQ(journal[2]["query"]["page"], nlohmann::json({"3"}));
}

TEST(GitHubApiTest, FindsUserPackagesAndDeletesVersions) {
  GitHubStandin standin;
  standin.Control("POST", "/_standin/packages",
                  {{"users",
                    {{"standin-user", {{"tool", {{{"id", 11}, {"name", "sha256:" + Hex(1)}}, {{"id", 12}, {"name", "sha256:" + Hex(2)}}}}}},
                     {"bob", {{"app", {{{"id", 21}, {"name", "sha256:" + Hex(3)}}}}}}}}});
  GitHubApi api(Options(standin, standin.token()));
  Packages own(api, "");
  EXPECT_EQ(own.List(PackageRef::FromRepository("standin-user/tool")).size(), 2u);
  EXPECT_EQ(own.owner_path(), "/user");
  own.Delete(PackageRef::FromRepository("standin-user/tool"), 12);
  EXPECT_EQ(own.List(PackageRef::FromRepository("standin-user/tool")).size(), 1u);
  ErrorCode code{};
  // GitHub refuses to delete a package's last version.
  EXPECT_EQ(ErrorMessageOf([&] { own.Delete(PackageRef::FromRepository("standin-user/tool"), 11); }, &code),
            "GitHub API DELETE /user/packages/container/tool/versions/11: 400 Bad Request (You cannot delete the last version of "
            "a package. You must delete the package instead.)");
  EXPECT_EQ(code, ErrorCode::kInvalidInput);

  Packages other(api, "");
  EXPECT_EQ(other.List(PackageRef::FromRepository("bob/app")).size(), 1u);
  EXPECT_EQ(other.owner_path(), "/users/bob");

  Packages missing(api, "org");
  EXPECT_EQ(ErrorMessageOf([&] { missing.List(PackageRef::FromRepository("acme/nothing")); }, &code),
            "ghcr: no container package 'nothing' owned by 'acme' (GitHub API GET "
            "/orgs/acme/packages/container/nothing/versions?per_page=100: 404 Not Found (Package not found.))");
  EXPECT_EQ(code, ErrorCode::kNotFound);
}

TEST(GitHubApiTest, ReportsRefusedTokensAndMissingScopes) {
  GitHubStandin standin;
  standin.Control("POST", "/_standin/tokens", {{"ghp_noscopes_token", {{"login", "carol"}, {"scopes", nlohmann::json::array()}}}});
  standin.Control("POST", "/_standin/packages", {{"orgs", {{"acme", {{"web", {{{"name", "sha256:" + Hex(1)}}}}}}}}});
  ErrorCode code{};
  GitHubApi bad(Options(standin, "ghp_wrong_token_value"));
  std::string message = ErrorMessageOf([&] { Packages(bad, "").List(PackageRef::FromRepository("acme/web")); }, &code);
  EXPECT_EQ(message, "GitHub API GET /orgs/acme/packages/container/web/versions?per_page=100 refused with the token from the test: "
                     "401 Unauthorized (Bad credentials)");
  EXPECT_EQ(code, ErrorCode::kAuth);
  EXPECT_EQ(message.find("ghp_wrong_token_value"), std::string::npos);

  GitHubApi narrow(Options(standin, "ghp_noscopes_token"));
  message = ErrorMessageOf([&] { Packages(narrow, "").List(PackageRef::FromRepository("acme/web")); }, &code);
  EXPECT_EQ(code, ErrorCode::kAuth);
  EXPECT_NE(message.find("forbidden with the token from the test: 403 Forbidden"), std::string::npos) << message;
  EXPECT_NE(message.find("(needs scopes: read:packages)"), std::string::npos) << message;
}

TEST(GitHubApiTest, WaitsOutRateLimitsOrSaysWhenTheyLift) {
  GitHubStandin standin({"--rate-limit-after", "2"});
  standin.Control("POST", "/_standin/packages", {{"orgs", {{"acme", {{"web", {{{"name", "sha256:" + Hex(1)}}}}}}}}});
  GitHubApi api(Options(standin, standin.token()));
  std::vector<std::chrono::milliseconds> waits;
  api.SetSleeper([&](std::chrono::milliseconds wait) {
    waits.push_back(wait);
    std::this_thread::sleep_for(wait);
  });
  for (int i = 0; i < 6; ++i) EXPECT_EQ(api.Call("GET", "/orgs/acme/packages/container/web/versions").status, 200);
  ASSERT_GE(waits.size(), 2u);
  std::set<int> refusals;
  for (const auto& entry : standin.Journal()) {
    if (entry["status"] != 200) refusals.insert(entry["status"].get<int>());
  }
  EXPECT_EQ(refusals, (std::set<int>{403, 429}));  // Both the primary and the secondary form were waited out.
  // The headers decide the wait (about a second here), not the 60 s fallback.
  for (auto wait : waits) EXPECT_LE(wait.count(), 2500);

  ApiOptions impatient = Options(standin, standin.token());
  impatient.max_rate_limit_wait = std::chrono::seconds(0);
  GitHubApi quick(impatient);
  std::string message;
  for (int i = 0; i < 4 && message.empty(); ++i) message = ErrorMessageOf([&] { quick.Call("GET", "/orgs/acme/packages/container/web/versions"); });
  EXPECT_NE(message.find("rate limit exceeded"), std::string::npos) << message;
  EXPECT_NE(message.find("longer than berth waits (0 s, setting rate-limit-wait); try again later"), std::string::npos) << message;
}

TEST(GitHubApiTest, NeverFollowsALinkToAnotherServer) {
  GitHubStandin standin;
  nlohmann::json versions = nlohmann::json::array();
  for (int i = 0; i < 101; ++i) versions.push_back({{"name", "sha256:" + Hex(i)}});
  standin.Control("POST", "/_standin/packages", {{"orgs", {{"acme", {{"web", versions}}}}}});
  // The stand-in reached as localhost: its Link headers name 127.0.0.1, another server as far as the client knows.
  ApiOptions options = Options(standin, standin.token());
  options.base_url = "http://localhost:" + std::to_string(standin.ready()["port"].get<int>());
  GitHubApi api(options);
  ErrorCode code{};
  EXPECT_EQ(ErrorMessageOf([&] { api.ListAll("/orgs/acme/packages/container/web/versions"); }, &code),
            "GitHub API GET /orgs/acme/packages/container/web/versions: refusing a Link to another server (127.0.0.1:" +
                std::to_string(standin.ready()["port"].get<int>()) + ")");
  EXPECT_EQ(standin.Journal().size(), 1u);
}

TEST(ActionsSecretStoreTest, SetsListsAndDeletesRepositoryAndEnvironmentSecrets) {
  ASSERT_GE(sodium_init(), 0);
  GitHubStandin standin;
  auto env = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "GH_TOKEN") return standin.token();
    return std::nullopt;
  };
  ActionsSecretStore repo(GhcrSettings::Parse({{"repository", "acme/shop"}, {"api-url", standin.url()}}, env), env);
  ActionsSecretStore prod(
      GhcrSettings::Parse({{"repository", "acme/shop"}, {"environment", "production"}, {"api-url", standin.url()}}, env), env);
  const std::string value = "s3cr3t-value\nwith a second line";
  repo.Set("dev", "db_password", SecretValue(value)).ThrowIfError();
  repo.Set("dev", "API_KEY", SecretValue("first-api-key")).ThrowIfError();
  repo.Set("dev", "API_KEY", SecretValue("second-api-key")).ThrowIfError();  // 204: updated.
  prod.Set("prod", "DB_PASSWORD", SecretValue("prod-only-value")).ThrowIfError();

  auto journal = standin.Journal();
  std::vector<std::string> opened;
  for (const auto& entry : journal) {
    if (entry["method"] != "PUT") continue;
    EXPECT_EQ(entry["body"]["key_id"], standin.ready()["secrets_key_id"]);
    opened.push_back(standin.OpenSealed(entry["body"]["encrypted_value"].get<std::string>()));
  }
  EXPECT_EQ(opened, (std::vector<std::string>{value, "first-api-key", "second-api-key", "prod-only-value"}));
  EXPECT_EQ(journal.dump().find("s3cr3t-value"), std::string::npos);
  std::vector<int> statuses;
  for (const auto& entry : journal) {
    if (entry["method"] == "PUT") statuses.push_back(entry["status"].get<int>());
  }
  EXPECT_EQ(statuses, (std::vector<int>{201, 201, 204, 201}));
  EXPECT_EQ(journal.back()["path"], "/repos/acme/shop/environments/production/secrets/DB_PASSWORD");

  EXPECT_EQ(repo.List("dev").value(), (std::vector<std::string>{"API_KEY", "DB_PASSWORD"}));
  EXPECT_EQ(prod.List("prod").value(), (std::vector<std::string>{"DB_PASSWORD"}));

  std::map<std::string, SecretValue> desired;
  desired.emplace("API_KEY", SecretValue("x"));
  desired.emplace("NEW_ONE", SecretValue("y"));
  auto diff = repo.Diff("dev", desired).value();
  ASSERT_EQ(diff.size(), 3u);
  EXPECT_EQ(diff[0].change, SecretChange::kChanged);
  EXPECT_EQ(diff[1].change, SecretChange::kAdded);
  EXPECT_EQ(diff[2].name, "DB_PASSWORD");
  EXPECT_EQ(diff[2].change, SecretChange::kRemoved);

  repo.Delete("dev", "api_key").ThrowIfError();
  EXPECT_EQ(repo.List("dev").value(), (std::vector<std::string>{"DB_PASSWORD"}));
  Status missing = repo.Delete("dev", "API_KEY");
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.message(), "github-actions: no secret API_KEY in acme/shop");
  Status bad_name = repo.Set("dev", "GITHUB_X", SecretValue("v"));
  EXPECT_EQ(bad_name.code(), ErrorCode::kInvalidInput);
}

TEST(ActionsSecretStoreTest, FetchesTheKeyAgainAfterARotation) {
  ASSERT_GE(sodium_init(), 0);
  GitHubStandin standin;
  auto env = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "GITHUB_TOKEN") return standin.token();
    return std::nullopt;
  };
  ActionsSecretStore store(GhcrSettings::Parse({{"repository", "acme/shop"}, {"api-url", standin.url()}}, env), env);
  store.Set("dev", "ONE", SecretValue("before-rotation")).ThrowIfError();
  auto rotated = standin.Control("POST", "/_standin/rotate-secrets-key");
  store.Set("dev", "TWO", SecretValue("after-rotation")).ThrowIfError();
  auto secrets = standin.Control("GET", "/_standin/secrets");
  ASSERT_EQ(secrets.size(), 2u);
  EXPECT_EQ(secrets[1]["name"], "TWO");
  EXPECT_EQ(secrets[1]["value"], "after-rotation");
  auto journal = standin.Journal();
  int key_fetches = 0;
  for (const auto& entry : journal) key_fetches += entry["path"] == "/repos/acme/shop/actions/secrets/public-key";
  EXPECT_EQ(key_fetches, 2);
  EXPECT_EQ(journal.back()["body"]["key_id"], rotated["key_id"]);
}

}  // namespace
}  // namespace berth::ghcr
