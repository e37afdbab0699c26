// The ghcr plugin through the real berth binary: OCI traffic against the real
// docker-registry with a token server shaped like ghcr's (realm /token,
// service ghcr.io, no expires_in), routed to `plugin: ghcr` by
// registries.yaml; the GitHub REST API (packages, Actions secrets) against
// the GitHub stand-in, whose token is made to equal the registry password so
// one GITHUB_TOKEN serves both, as on github.com.
#include <gtest/gtest.h>
#include <sodium.h>

#include <set>

#include "berth/oci/client.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth_runner.h"
#include "github_standin_test_util.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {

using ghcr::testing::GitHubStandin;

const nlohmann::json kAllScopes = {"repo", "read:packages", "write:packages", "delete:packages"};

class GhcrE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = StartRegistry("token", {"--challenge-style", "ghcr", "--public-repos", "acme/public*"});
    host_ = registry_->host();
    pat_ = registry_->ready()["users"]["alice"].get<std::string>();
    standin_.Control("POST", "/_standin/tokens", {{pat_, {{"login", "alice"}, {"scopes", kAllScopes}}}});
    for (const char* name : {"GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GITHUB_API_URL",
                             "BERTH_GHCR_API_URL", "BERTH_GHCR_TOKEN_FILE", "DOCKER_AUTH_CONFIG"}) {
      berth_.SetEnv(name, "");
    }
    berth_.SetEnv("REGISTRY_AUTH_FILE", (berth_.home() / "containers-auth.json").string());
    berth_.SetEnv("GITHUB_ACTOR", "alice");
    WriteRegistries("");
  }

  void WriteRegistries(const std::string& extra_settings) {
    WriteFileAtomic(berth_.home() / "config" / "berth" / "registries.yaml",
                    "registries:\n  \"" + host_ + "\":\n    plain-http: true\n    plugin: ghcr\n    settings:\n      api-url: " +
                        standin_.url() + "\n" + extra_settings);
  }

  oci::Descriptor Push(TestLayout& layout, const oci::Descriptor& image, const std::string& target) {
    static int counter = 0;
    std::string tag = "t" + std::to_string(++counter);
    layout.Tag(image, tag);
    auto pushed = berth_.Run({"push", "oci:img:" + tag, target});
    EXPECT_EQ(pushed.exit_code, 0) << Describe(pushed);
    return image;
  }

  std::set<int64_t> DeletedIds(const std::string& owner, const std::string& package) {
    std::set<int64_t> ids;
    const nlohmann::json state = standin_.Control("GET", "/_standin/packages");
    for (const auto& version : state["orgs"][owner][package]) {
      if (version.value("deleted", false)) ids.insert(version["id"].get<int64_t>());
    }
    return ids;
  }

  BerthRunner berth_;
  GitHubStandin standin_;
  std::unique_ptr<TestPeer> registry_;
  std::string host_;
  std::string pat_;
};

TEST_F(GhcrE2eTest, PushesWithAPatAndPullsPublicImagesAnonymously) {
  TestLayout layout(berth_.work_dir() / "img");
  oci::Descriptor image = layout.AddImage("linux/amd64", {3000}, 71);
  layout.Tag(image, "v1");

  auto refused = berth_.Run({"push", "oci:img:v1", host_ + "/acme/web:v1"});
  EXPECT_EQ(refused.exit_code, 7) << Describe(refused);

  berth_.SetEnv("GITHUB_TOKEN", pat_);
  auto pushed = berth_.Run({"push", "oci:img:v1", host_ + "/acme/web:v1", "-o", "json", "-vvv"});
  ASSERT_EQ(pushed.exit_code, 0) << Describe(pushed);
  EXPECT_EQ(nlohmann::json::parse(pushed.stdout_data)["digest"], image.digest.str());
  EXPECT_NE(pushed.stderr_data.find("registry " + host_ + " is served by plugin ghcr"), std::string::npos) << pushed.stderr_data;
  EXPECT_NE(pushed.stderr_data.find("token from GITHUB_TOKEN"), std::string::npos) << pushed.stderr_data;
  EXPECT_EQ(pushed.stderr_data.find(pat_), std::string::npos);
  auto stats = TestPeer::GetJson(registry_->ready()["token_stats_url"].get<std::string>());
  EXPECT_GE(stats["by_user"]["alice"].get<int>(), 1) << stats;
  EXPECT_EQ(registry_->ready()["challenge_style"], "ghcr");

  ASSERT_EQ(berth_.Run({"push", "oci:img:v1", host_ + "/acme/public-tool:v1"}).exit_code, 0);

  // ghcr's naming rule: images live under an owner.
  auto bad = berth_.Run({"push", "oci:img:v1", host_ + "/web:v1"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(bad.stderr_data, "error: ghcr: 'web' is not OWNER/NAME (ghcr images live under a user or organisation)\n");

  berth_.SetEnv("GITHUB_TOKEN", "");
  auto anonymous = berth_.Run({"pull", host_ + "/acme/public-tool:v1", "oci:out:v1", "-o", "json"});
  ASSERT_EQ(anonymous.exit_code, 0) << Describe(anonymous);
  EXPECT_EQ(nlohmann::json::parse(anonymous.stdout_data)["digest"], image.digest.str());
  stats = TestPeer::GetJson(registry_->ready()["token_stats_url"].get<std::string>());
  EXPECT_GE(stats["by_grant"]["anonymous"].get<int>(), 1) << stats;
  auto private_pull = berth_.Run({"pull", host_ + "/acme/web:v1", "oci:out2:v1"});
  EXPECT_EQ(private_pull.exit_code, 7) << Describe(private_pull);

  // berth login stores the PAT in the docker config, which serves when no token is in the environment.
  auto login = berth_.Run({"login", host_, "-u", "alice", "--password-stdin"}, pat_ + "\n");
  ASSERT_EQ(login.exit_code, 0) << Describe(login);
  auto from_config = berth_.Run({"pull", host_ + "/acme/web:v1", "oci:out3:v1"});
  EXPECT_EQ(from_config.exit_code, 0) << Describe(from_config);
}

TEST_F(GhcrE2eTest, DeleteGoesThroughThePackagesApi) {
  berth_.SetEnv("GITHUB_TOKEN", pat_);
  TestLayout layout(berth_.work_dir() / "img");
  oci::Descriptor one = Push(layout, layout.AddImage("linux/amd64", {1000}, 1), host_ + "/acme/app:one");
  oci::Descriptor two = Push(layout, layout.AddImage("linux/amd64", {1000}, 2), host_ + "/acme/app:two");
  standin_.Control("POST", "/_standin/packages",
                   {{"orgs", {{"acme", {{"app", {{{"id", 2}, {"name", two.digest.str()}, {"tags", {"two"}}},
                                                 {{"id", 1}, {"name", one.digest.str()}, {"tags", {"one"}}}}}}}}}});
  auto deleted = berth_.Run({"delete", host_ + "/acme/app:one", "-o", "json"});
  ASSERT_EQ(deleted.exit_code, 0) << Describe(deleted);
  EXPECT_EQ(nlohmann::json::parse(deleted.stdout_data)["digest"], one.digest.str());
  EXPECT_EQ(DeletedIds("acme", "app"), std::set<int64_t>{1});
  // The registry was not asked to delete: the manifest is still there (ghcr's API did the deleting).
  EXPECT_EQ(berth_.Json({"digest", host_ + "/acme/app:one"})["digest"], one.digest.str());
}

TEST_F(GhcrE2eTest, ListsVersionsAcrossPagesWithNestedNames) {
  nlohmann::json versions = nlohmann::json::array();
  for (int i = 0; i < 130; ++i) {
    char hex[65];
    snprintf(hex, sizeof hex, "%064x", i);
    versions.push_back({{"id", 9000 + i}, {"name", std::string("sha256:") + hex}, {"tags", i == 0 ? nlohmann::json({"latest", "v130"}) : nlohmann::json::array()},
                        {"created_at", "2024-01-01T00:00:00Z"}});
  }
  standin_.Control("POST", "/_standin/packages", {{"orgs", {{"acme", {{"big/app", versions}}}}}});
  standin_.ClearJournal();

  auto no_token = berth_.Run({"ghcr", "versions", host_ + "/acme/big/app"});
  EXPECT_EQ(no_token.exit_code, 7) << Describe(no_token);
  EXPECT_EQ(no_token.stderr_data,
            "error: ghcr versions: GitHub API GET /orgs/acme/packages/container/big%2Fapp/versions?per_page=100 refused without a token (set "
            "GH_TOKEN or GITHUB_TOKEN): 401 Unauthorized (Requires authentication)\n");

  // The PAT on stdin.
  auto listed = berth_.Run({"ghcr", "versions", host_ + "/acme/big/app", "--token-stdin", "-o", "json"}, pat_ + "\n");
  ASSERT_EQ(listed.exit_code, 0) << Describe(listed);
  auto json = nlohmann::json::parse(listed.stdout_data);
  ASSERT_EQ(json.size(), 130u);
  EXPECT_EQ(json[0], nlohmann::json::parse(R"({"id": 9000, "digest": "sha256:)" + std::string(64, '0') +
                                           R"(", "tags": ["latest", "v130"], "createdAt": "2024-01-01T00:00:00Z",
                                              "updatedAt": "2024-01-01T00:00:00Z"})"));
  std::vector<std::string> pages;
  for (const auto& entry : standin_.Journal()) {
    if (entry["status"] != 200) continue;
    EXPECT_EQ(entry["path"], "/orgs/acme/packages/container/big%2Fapp/versions");
    EXPECT_EQ(entry["login"], "alice");
    pages.push_back(entry["query"].value("page", nlohmann::json({"1"}))[0].get<std::string>());
  }
  EXPECT_EQ(pages, (std::vector<std::string>{"1", "2"}));

  berth_.SetEnv("GH_TOKEN", pat_);
  auto table = berth_.Run({"ghcr", "versions", host_ + "/acme/big/app"});
  ASSERT_EQ(table.exit_code, 0) << Describe(table);
  EXPECT_EQ(table.stdout_data.substr(0, table.stdout_data.find('\n')).substr(0, 6), "ID    ");
  EXPECT_NE(table.stdout_data.find("latest,v130"), std::string::npos);

  auto missing = berth_.Run({"ghcr", "versions", host_ + "/acme/nothing"});
  EXPECT_EQ(missing.exit_code, 6) << Describe(missing);
  auto not_ghcr = berth_.Run({"ghcr", "versions", "registry.example/acme/app"});
  EXPECT_EQ(not_ghcr.exit_code, 3);
  EXPECT_EQ(not_ghcr.stderr_data, "error: ghcr: registry.example is not a GitHub container registry (ghcr.io, or a host with "
                                  "`plugin: ghcr` in registries.yaml)\n");
}

TEST_F(GhcrE2eTest, WaitsOutRateLimitsOrReportsThem) {
  berth_.SetEnv("GITHUB_TOKEN", pat_);
  nlohmann::json versions = nlohmann::json::array();
  for (int i = 0; i < 150; ++i) {
    char hex[65];
    snprintf(hex, sizeof hex, "%064x", i);
    versions.push_back({{"name", std::string("sha256:") + hex}});
  }
  standin_.Control("POST", "/_standin/packages", {{"orgs", {{"acme", {{"web", versions}}}}}});
  standin_.Control("POST", "/_standin/config", {{"rate_limit_after", 1}});
  standin_.ClearJournal();
  auto waited = berth_.Run({"ghcr", "versions", host_ + "/acme/web", "-o", "json", "-v"});
  ASSERT_EQ(waited.exit_code, 0) << Describe(waited);
  EXPECT_EQ(nlohmann::json::parse(waited.stdout_data).size(), 150u);
  // The primary limit lifts at the next epoch second (the wait is rounded up), the secondary one after Retry-After: 1.
  EXPECT_NE(waited.stderr_data.find("rate limit, waiting "), std::string::npos) << Describe(waited);
  EXPECT_NE(waited.stderr_data.find(" s (try 1 of 5)"), std::string::npos) << Describe(waited);
  bool refused = false;
  for (const auto& entry : standin_.Journal()) refused = refused || entry["status"] == 403 || entry["status"] == 429;
  EXPECT_TRUE(refused);

  WriteRegistries("      rate-limit-wait: 0\n");
  standin_.Control("POST", "/_standin/config", {{"rate_limit_after", 1}});
  auto reported = berth_.Run({"ghcr", "versions", host_ + "/acme/web"});
  EXPECT_EQ(reported.exit_code, 1) << Describe(reported);
  EXPECT_NE(reported.stderr_data.find("rate limit exceeded"), std::string::npos) << reported.stderr_data;
  EXPECT_NE(reported.stderr_data.find("longer than berth waits (0 s, setting rate-limit-wait); try again later"), std::string::npos)
      << reported.stderr_data;
}

TEST_F(GhcrE2eTest, PruneKeepsWhatKeptVersionsNeed) {
  berth_.SetEnv("GITHUB_TOKEN", pat_);
  const std::string repo = host_ + "/acme/team/web";
  TestLayout layout(berth_.work_dir() / "img");
  oci::Descriptor amd64 = layout.AddImage("linux/amd64", {800}, 11);
  oci::Descriptor arm64 = layout.AddImage("linux/arm64", {800}, 12);
  oci::Descriptor index = Push(layout, layout.AddIndex({amd64, arm64}), repo + ":v3");
  oci::Descriptor signature = Push(layout, layout.AddImage("linux/amd64", {100}, 13), repo + ":sha256-" + index.digest.hex() + ".sig");
  oci::Descriptor v2 = Push(layout, layout.AddImage("linux/amd64", {500}, 14), repo + ":v2");
  oci::Descriptor v1 = Push(layout, layout.AddImage("linux/amd64", {500}, 15), repo + ":v1");
  oci::Descriptor v1_signature = Push(layout, layout.AddImage("linux/amd64", {100}, 16), repo + ":sha256-" + v1.digest.hex() + ".sig");
  oci::Descriptor loose = Push(layout, layout.AddImage("linux/amd64", {500}, 17), repo + ":scratch");
  auto version = [](int id, const oci::Descriptor& d, std::vector<std::string> tags, const std::string& created) {
    nlohmann::json json = nlohmann::json::object();
    json["id"] = id;
    json["name"] = d.digest.str();
    json["tags"] = tags;
    json["created_at"] = created;
    return json;
  };
  nlohmann::json seed;
  seed["orgs"]["acme"]["team/web"] = nlohmann::json::array({version(101, index, {"v3", "latest"}, "2024-03-01T00:00:00Z"), version(102, amd64, {}, "2024-02-29T23:59:00Z"),
            version(103, arm64, {}, "2024-02-29T23:59:00Z"),
            version(104, signature, {"sha256-" + index.digest.hex() + ".sig"}, "2024-03-01T00:01:00Z"),
            version(105, v2, {"v2"}, "2024-02-01T00:00:00Z"), version(106, v1, {"v1"}, "2024-01-01T00:00:00Z"),
            version(107, loose, {}, "2024-01-15T00:00:00Z"),
            version(108, v1_signature, {"sha256-" + v1.digest.hex() + ".sig"}, "2024-01-01T00:01:00Z")});
  ASSERT_TRUE(standin_.Control("POST", "/_standin/packages", seed).contains("orgs"));

  auto actions = [](const nlohmann::json& plan) {
    std::map<int64_t, std::string> out;
    for (const auto& v : plan["versions"]) out[v["id"].get<int64_t>()] = v["action"].get<std::string>();
    return out;
  };
  // Without --untagged, untagged versions stay.
  auto keep_untagged = berth_.Json({"ghcr", "prune", repo, "--keep", "1"});
  EXPECT_EQ(actions(keep_untagged), (std::map<int64_t, std::string>{{101, "keep"}, {102, "keep"}, {103, "keep"}, {104, "keep"},
                                                                    {105, "delete"}, {106, "delete"}, {107, "keep"}, {108, "delete"}}));
  auto dry = berth_.Json({"ghcr", "prune", repo, "--keep", "1", "--untagged"});
  EXPECT_EQ(actions(dry), (std::map<int64_t, std::string>{{101, "keep"}, {102, "keep"}, {103, "keep"}, {104, "keep"},
                                                          {105, "delete"}, {106, "delete"}, {107, "delete"}, {108, "delete"}}));
  EXPECT_EQ(dry["dryRun"], true);
  EXPECT_EQ(dry["toDelete"], 4);
  EXPECT_EQ(dry["deleted"], 0);
  EXPECT_EQ(dry["owner"], "acme");
  EXPECT_EQ(dry["package"], "team/web");
  for (const auto& v : dry["versions"]) {
    if (v["id"] == 102) {
      EXPECT_EQ(v["reason"], "listed by kept index " + oci::ShortDigest(index.digest));
    }
    if (v["id"] == 104) {
      EXPECT_EQ(v["reason"], "sig of kept " + oci::ShortDigest(index.digest));
    }
  }
  EXPECT_TRUE(DeletedIds("acme", "team/web").empty());
  auto table = berth_.Run({"ghcr", "prune", repo, "--keep", "1", "--untagged"});
  EXPECT_NE(table.stdout_data.find("dry run: 4 versions would be deleted; pass --yes to delete\n"), std::string::npos)
      << Describe(table);

  standin_.ClearJournal();
  auto applied = berth_.Json({"ghcr", "prune", repo, "--keep", "1", "--untagged", "--yes"});
  EXPECT_EQ(applied["dryRun"], false);
  EXPECT_EQ(applied["deleted"], 4);
  EXPECT_EQ(actions(applied)[105], "deleted");
  EXPECT_EQ(DeletedIds("acme", "team/web"), (std::set<int64_t>{105, 106, 107, 108}));
  std::vector<std::string> deletes;
  for (const auto& entry : standin_.Journal()) {
    if (entry["method"] == "DELETE") deletes.push_back(entry["path"].get<std::string>());
  }
  const std::string base = "/orgs/acme/packages/container/team%2Fweb/versions/";
  EXPECT_EQ(deletes, (std::vector<std::string>{base + "105", base + "106", base + "108", base + "107"}));
}

TEST_F(GhcrE2eTest, ActionsSecretsAreSealedForTheRepository) {
  ASSERT_GE(sodium_init(), 0);
  berth_.SetEnv("GITHUB_TOKEN", pat_);
  const std::vector<std::string> store = {"--store", "github-actions", "--setting", "repository=acme/shop", "--setting",
                                          "api-url=" + standin_.url()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), store.begin(), store.end());
    return args;
  };
  const std::string value = "pg-password-7c1d9e\nline two";
  auto set = berth_.Run(with({"secrets", "set", "prod", "DB_PASSWORD", "--keep-newline", "-vvv"}), value + "\n");
  ASSERT_EQ(set.exit_code, 0) << Describe(set);
  EXPECT_EQ(set.stderr_data.find("pg-password-7c1d9e"), std::string::npos);
  EXPECT_EQ(set.stdout_data.find("pg-password-7c1d9e"), std::string::npos);
  EXPECT_EQ(set.stderr_data.find(pat_), std::string::npos);

  std::string sealed;
  for (const auto& entry : standin_.Journal()) {
    if (entry["method"] == "PUT") sealed = entry["body"]["encrypted_value"].get<std::string>();
  }
  EXPECT_EQ(standin_.OpenSealed(sealed), value + "\n");

  WriteFileAtomic(berth_.work_dir() / "prod.env", "API_KEY=\"k-123456\"\nDB_PASSWORD=other\n", 0600);
  auto diff = berth_.Json(with({"secrets", "diff", "prod", "--from", "prod.env"}));
  EXPECT_EQ(diff, nlohmann::json::parse(R"([{"name":"API_KEY","change":"added"},{"name":"DB_PASSWORD","change":"changed"}])"));
  auto synced = berth_.Json(with({"secrets", "sync", "prod", "--from", "prod.env"}));
  EXPECT_EQ(synced.size(), 2u);
  EXPECT_EQ(berth_.Json(with({"secrets", "list", "prod"})), nlohmann::json::parse(R"([{"name":"API_KEY"},{"name":"DB_PASSWORD"}])"));
  auto stored = standin_.Control("GET", "/_standin/secrets");
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0]["value"], "k-123456");
  EXPECT_EQ(stored[1]["value"], "other");

  // An environment's secrets are separate from the repository's.
  auto env_set = berth_.Run(with({"secrets", "set", "prod", "TOKEN", "--setting", "environment=production"}), "env-scoped-value\n");
  ASSERT_EQ(env_set.exit_code, 0) << Describe(env_set);
  EXPECT_EQ(standin_.Journal().back()["path"], "/repos/acme/shop/environments/production/secrets/TOKEN");
  EXPECT_EQ(berth_.Json(with({"secrets", "list", "prod", "--setting", "environment=production"})),
            nlohmann::json::parse(R"([{"name":"TOKEN"}])"));

  auto deleted = berth_.Run(with({"secrets", "delete", "prod", "API_KEY"}));
  EXPECT_EQ(deleted.exit_code, 0) << Describe(deleted);
  auto again = berth_.Run(with({"secrets", "delete", "prod", "API_KEY"}));
  EXPECT_EQ(again.exit_code, 6);
  EXPECT_EQ(again.stderr_data, "error: ghcr: delete: github-actions: no secret API_KEY in acme/shop\n");
  auto bad_name = berth_.Run(with({"secrets", "set", "prod", "GITHUB_X"}), "v\n");
  EXPECT_EQ(bad_name.exit_code, 3);

  berth_.SetEnv("GITHUB_TOKEN", "");
  auto no_token = berth_.Run(with({"secrets", "list", "prod"}));
  EXPECT_EQ(no_token.exit_code, 7);
  EXPECT_EQ(no_token.stderr_data, "error: ghcr: create secret-store github-actions: github-actions: no GitHub token for acme/shop (set GH_TOKEN or GITHUB_TOKEN, or the "
                                  "setting token-file; it needs the repo scope)\n");
}

}  // namespace
}  // namespace berth::testing
