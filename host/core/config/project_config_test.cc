#include "core/config/project_config.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/fs.h"

namespace berth::host {
namespace {

constexpr char kExample[] = R"(service: shop-api
image: ghcr.io/acme/shop-api
tags: ["v{version}", "sha-{git.short}"]
registries:
  - repository: ghcr.io/acme/shop-api
  - name: gar
    repository: europe-docker.pkg.dev/acme/shop/shop-api
signing:
  key: cosign.key
  public_key: cosign.pub
  required: true
environments:
  staging:
    target:
      plugin: k8s
      namespace: shop
      replicas: 2
    secrets:
      store: k8s
      from: .env.staging
    health:
      path: /healthz
      timeout: 2m
    immutable_tags: true
)";

TEST(ProjectConfigTest, ParsesTheExample) {
  auto config = ProjectConfig::Parse(kExample, "/p/berth.yaml");
  EXPECT_EQ(config.service, "shop-api");
  EXPECT_EQ(config.tags, (std::vector<TagTemplate>{{"v{version}", false}, {"sha-{git.short}", false}}));
  EXPECT_EQ(config.git_short_length, 7);
  ASSERT_EQ(config.registries.size(), 2u);
  EXPECT_EQ(config.registries[0].name, "ghcr.io");
  EXPECT_EQ(config.registries[1].name, "gar");
  EXPECT_TRUE(config.signing->required);
  const auto& staging = config.Environment("staging");
  EXPECT_EQ(staging.target, "k8s");
  EXPECT_EQ(staging.target_settings, nlohmann::json::parse(R"({"namespace":"shop","replicas":2})"));
  EXPECT_EQ(staging.secrets->from, std::vector<std::string>{".env.staging"});
  EXPECT_EQ(staging.health->timeout, std::chrono::seconds(120));
  EXPECT_TRUE(staging.immutable_tags);
  EXPECT_EQ(config.ledger, std::filesystem::path("/p/releases.json"));
}

std::string ErrorOf(const std::string& text) {
  try {
    ProjectConfig::Parse(text, "/p/berth.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ProjectConfigTest, ErrorsNameLineColumnAndField) {
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\nenviroments: {}\n"),
            "berth.yaml:3:1: unknown field 'enviroments' in berth.yaml (did you mean 'environments'?)");
  EXPECT_EQ(ErrorOf("image: r/x\n"), "berth.yaml:1:1: missing required field 'service'");
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x:latest\n"),
            "berth.yaml:2:8: 'image' is a repository without tag or digest (tags come from 'tags')");
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\nenvironments:\n  dev:\n    target: {namespace: a}\n"),
            "berth.yaml:5:13: missing required field 'environments.dev.target.plugin'");
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\nenvironments:\n  dev:\n    target: {plugin: k8s}\n    health: {timeout: soon}\n"),
            "berth.yaml:6:23: 'environments.dev.health.timeout' must be a duration like 90s, 5m or 1h");
  EXPECT_EQ(ErrorOf("service: x\n  image: [\n"), "berth.yaml:2:8: illegal map value");
  auto config = ProjectConfig::Parse("service: x\nimage: r/x\nenvironments:\n  dev: {target: {plugin: k8s}}\n", "b.yaml");
  EXPECT_THROW(config.Environment("prod"), Error);
}

// Release tags are immutable; a channel tag opts out by name, and {git.short}
// has git's 7 characters unless the project asks for more.
TEST(ProjectConfigTest, TagTemplatesMayBeMutableAndGitShortHasALength) {
  auto config = ProjectConfig::Parse("service: x\nimage: r/x\ntags: [\"{version}\", {template: edge, mutable: true}]\n"
                                     "git: {short_length: 12}\n", "/p/berth.yaml");
  EXPECT_EQ(config.tags, (std::vector<TagTemplate>{{"{version}", false}, {"edge", true}}));
  EXPECT_EQ(config.git_short_length, 12);
  EXPECT_EQ(ProjectConfig::Parse("service: x\nimage: r/x\n", "/p/berth.yaml").tags, (std::vector<TagTemplate>{{"{version}", false}}));
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\ngit: {short_length: 3}\n"), "berth.yaml:3:21: 'git.short_length' must be a number from 4 to 40");
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\ntags: [{mutable: true}]\n"), "berth.yaml:3:8: missing required field 'tags[].template'");
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\ntags: [\"{version}-{branch}\"]\n"),
            "berth.yaml:3:8: unknown placeholder in tag template '{version}-{branch}' (use {version}, {git.sha}, {git.short}, {date})");
}

// secrets.from takes one file or a list (env files and .asap-configs).
TEST(ProjectConfigTest, SecretsFromIsOnePathOrAList) {
  const std::string head = "service: x\nimage: r/x\nenvironments:\n  dev:\n    target: {plugin: k8s}\n    secrets: {store: k8s, ";
  auto list = ProjectConfig::Parse(head + "from: [.env.local, .asap-config]}\n", "/p/berth.yaml");
  EXPECT_EQ(list.Environment("dev").secrets->from, (std::vector<std::string>{".env.local", ".asap-config"}));
  EXPECT_EQ(ErrorOf(head + "from: []}\n"), "berth.yaml:6:33: 'environments.dev.secrets.from' must name at least one file");
  EXPECT_EQ(ErrorOf(head + "from: [{a: b}]}\n"), "berth.yaml:6:34: 'environments.dev.secrets.from[]' must be a string");
}

// A berth.yaml from a cloned repository may only name paths inside its own
// folder: no packing ~/.ssh into an image, no ledger written elsewhere.
TEST(ProjectConfigTest, PathsMustStayInsideTheProject) {
  const std::string head = "service: x\nimage: r/x\n";
  EXPECT_EQ(ErrorOf(head + "build: {context: ../..}\n"),
            "berth.yaml:3:18: 'build.context' (../..) is outside the project folder; berth.yaml may only name paths inside it");
  EXPECT_EQ(ErrorOf(head + "build: {context: /home/me/.ssh}\n"),
            "berth.yaml:3:18: 'build.context' (/home/me/.ssh) is outside the project folder; berth.yaml may only name paths inside it");
  EXPECT_EQ(ErrorOf(head + "build: {dockerfile: sub/../../Dockerfile}\n"),
            "berth.yaml:3:21: 'build.dockerfile' (sub/../../Dockerfile) is outside the project folder; berth.yaml may only name paths "
            "inside it");
  EXPECT_EQ(ErrorOf(head + "ledger: {markdown: ../../.bashrc}\n"),
            "berth.yaml:3:20: 'ledger.markdown' (../../.bashrc) is outside the project folder; berth.yaml may only name paths inside it");
  EXPECT_EQ(ErrorOf(head + "environments:\n  dev:\n    target: {plugin: k8s}\n    secrets: {store: k8s, from: ../.env}\n"),
            "berth.yaml:6:33: 'environments.dev.secrets.from' (../.env) is outside the project folder; berth.yaml may only name paths "
            "inside it");
  EXPECT_EQ(ErrorOf(head + "environments:\n  dev:\n    target: {plugin: k8s}\n    secrets: {store: k8s, from: [.env, ../.asap-config]}\n"),
            "berth.yaml:6:40: 'environments.dev.secrets.from[]' (../.asap-config) is outside the project folder; berth.yaml may only "
            "name paths inside it");
  auto inside = ProjectConfig::Parse(head + "build: {context: ./site/../app, dockerfile: app/Dockerfile}\nledger: {path: ops/releases.json}\n",
                                     "/p/berth.yaml");
  EXPECT_EQ(inside.build.context, "./site/../app");
  EXPECT_EQ(inside.ledger, "/p/ops/releases.json");
}

// A symbolic link inside the project that points out of it is outside too.
TEST(ProjectConfigTest, SymlinksOutOfTheProjectAreOutside) {
  TempDir dir("berth-project");
  std::filesystem::create_directory_symlink("/etc", dir.path() / "etc-link");
  std::filesystem::create_directory(dir.path() / "site");
  try {
    ProjectConfig::Parse("service: x\nimage: r/x\nbuild: {context: etc-link}\n", dir.path() / "berth.yaml");
    FAIL() << "a context linking out of the project was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("'build.context' (etc-link) is outside the project folder"), std::string::npos) << error.what();
  }
  EXPECT_NO_THROW(ProjectConfig::Parse("service: x\nimage: r/x\nbuild: {context: site}\n", dir.path() / "berth.yaml"));
}

// Found by tests/fuzz/fuzz_project_config: a mapping or list used as a key
// ("? a: b") threw yaml-cpp's bad conversion past Parse.
// Found by fuzz_project_trust: a value that is not UTF-8 reached the JSON
// the trust digest is computed over, whose dump threw past every caller.
TEST(ProjectConfigTest, TextThatIsNotUtf8IsRefusedWithItsPlace) {
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\nenvironments:\n  dev:\n    target: {plugin: k8s, mirrors: [https://a\xd3\xdf]}\n"),
            "berth.yaml:5:46: not UTF-8 text (YAML files are UTF-8)");
  EXPECT_EQ(ErrorOf("\xff"), "berth.yaml:1:1: not UTF-8 text (YAML files are UTF-8)");
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\n# caf\xc3\xa9 \xed\xa0\x80\n"), "berth.yaml:3:9: not UTF-8 text (YAML files are UTF-8)");
}

TEST(ProjectConfigTest, ComplexKeysAreErrorsNotYamlExceptions) {
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\nbuild:\n  ? base: scratch\n  : x\n"),
            "berth.yaml:4:5: a key must be a plain name, not a mapping or a list");
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\n? [a, b]\n: x\n"), "berth.yaml:3:3: a key must be a plain name, not a mapping or a list");
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\nenvironments:\n  ? {a: b}\n  : {target: {plugin: k8s}}\n"),
            "berth.yaml:4:5: a key must be a plain name, not a mapping or a list");
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\nenvironments:\n  dev:\n    target: {plugin: k8s, ? [x]: 1}\n"),
            "berth.yaml:5:29: a key must be a plain name, not a mapping or a list");
  // And a number past int64 in settings threw std::out_of_range from std::stoll.
  EXPECT_EQ(ErrorOf("service: x\nimage: r/x\nbuild:\n  flags: [99999999999999999999]\n"),
            "berth.yaml:4:11: '99999999999999999999' is too large for a number (quote it to keep it as text)");
}

}  // namespace
}  // namespace berth::host
