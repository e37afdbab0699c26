// berth build and berth release as a user runs them: berth's own builder,
// pushes to two real docker-registry instances (one plain, one with token
// auth), the ledger they leave, and
// the refusals (dirty git tree, bad version, --dry-run changing nothing, a
// release tag that would move, git fields without a commit).
#include <gtest/gtest.h>

#include <algorithm>

#include <map>

#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class ReleaseE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    berth_.SetEnv("SOURCE_DATE_EPOCH", "1700000000");
    fs::path site = berth_.work_dir() / "site";
    CreateDirectories(site);
    WriteFileAtomic(site / "index.html", "<h1>hello</h1>\n");
    WriteFileAtomic(site / "serve.sh", "#!/bin/sh\nexec busybox httpd -f -p 8080 -h /srv/www\n", 0755);
  }

  void WriteProject(const std::string& host_a, const std::string& host_b,
                    const std::string& tags = "[\"{version}\", \"sha-{git.short}\"]") {
    WriteFileAtomic(berth_.work_dir() / "berth.yaml",
                    "service: hello\n"
                    "image: " + host_a + "/team/hello\n"
                    "build:\n"
                    "  context: site\n"
                    "  builder: berth\n"
                    "  base: scratch\n"
                    "  dest: /srv/www\n"
                    "  entrypoint: [/srv/www/serve.sh]\n"
                    "  ports: [8080]\n"
                    "tags: " + tags + "\n"
                    "registries:\n"
                    "  - repository: " + host_a + "/team/hello\n"
                    "  - repository: " + host_b + "/mirror/hello\n");
  }

  std::vector<std::string> Release(const std::string& version, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"release", version, "--plain-http", a_->host(), "--plain-http", b_->host()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // The project is a git repository with one commit, so sha-{git.short}
  // names that commit (outside git it would refuse to render).
  void Commit(const std::string& message) {
    berth_.Git({"add", "-A"});
    berth_.Git({"commit", "-q", "-m", message});
  }
  std::string Head() const {
    ProcessOptions options;
    options.cwd = berth_.work_dir();
    std::string out = RunProcess({"git", "rev-parse", "HEAD"}, options).stdout_data;
    return out.substr(0, out.find('\n'));
  }

  // The second registry wants a token (docker-registry's token auth with the
  // peer's token server); alice logs in once, through stdin.
  void StartRegistries(const std::string& tags = "") {
    a_ = StartRegistry("plain");
    b_ = StartRegistry("token");
    if (tags.empty()) {
      WriteProject(a_->host(), b_->host());
    } else {
      WriteProject(a_->host(), b_->host(), tags);
    }
    berth_.Git({"init", "-q"});
    Commit("first");
    ProcessResult login = berth_.Run({"login", b_->host(), "-u", "alice", "--password-stdin", "--plain-http", b_->host()},
                                     b_->ready()["users"]["alice"].get<std::string>());
    ASSERT_EQ(login.exit_code, 0) << login.stderr_data;
  }

  BerthRunner berth_;
  std::unique_ptr<TestPeer> a_, b_;
};

TEST_F(ReleaseE2eTest, BuildIsReproducibleAndPushable) {
  StartRegistries();
  json first = berth_.Json({"build", "--layout", "oci:out1:hello"});
  json second = berth_.Json({"build", "--layout", "oci:out2:hello"});
  EXPECT_EQ(first["builder"], "berth");
  EXPECT_EQ(first["digest"], second["digest"]);
  // skopeo, a real client, reads the layout.
  ProcessResult skopeo = RunProcess({"skopeo", "inspect", "oci:" + (berth_.work_dir() / "out1").string() + ":hello"});
  ASSERT_EQ(skopeo.exit_code, 0) << skopeo.stderr_data;
  EXPECT_EQ(json::parse(skopeo.stdout_data)["Digest"], first["digest"]);
  json pushed = berth_.Json({"push", "oci:out1:hello", a_->host() + "/team/hello:built", "--plain-http", a_->host()});
  EXPECT_EQ(pushed["digest"], first["digest"]);
}

TEST_F(ReleaseE2eTest, ReleasesToEveryRegistryAndRecordsTheLedger) {
  StartRegistries();
  json record = berth_.Json(Release("1.0.0"));
  const std::string digest = record["digest"];
  const std::string sha_tag = "sha-" + Head().substr(0, 7);  // git's and metadata-action's 7 characters.
  EXPECT_EQ(record["version"], "1.0.0");
  EXPECT_EQ(record["git"]["sha"], Head());
  EXPECT_EQ(record["images"], json::array({a_->host() + "/team/hello:1.0.0", a_->host() + "/team/hello:" + sha_tag,
                                           b_->host() + "/mirror/hello:1.0.0", b_->host() + "/mirror/hello:" + sha_tag}));
  // One push per registry, by digest; the tags then name it.
  ASSERT_EQ(record["pushes"].size(), 2u);
  EXPECT_EQ(record["pushes"][0]["image"], a_->host() + "/team/hello@" + digest);
  EXPECT_EQ(record["pushes"][0]["blobs"]["uploaded"], 2);  // Layer and config.
  EXPECT_EQ(record["pushes"][1]["blobs"]["uploaded"], 2);
  for (const auto& image : record["images"]) {
    std::string host = image.get<std::string>().substr(0, image.get<std::string>().find('/'));
    json seen = berth_.Json({"digest", image.get<std::string>(), "--plain-http", host});
    EXPECT_EQ(seen["digest"], digest) << image;
  }
  json ledger = json::parse(ReadFile(berth_.work_dir() / "releases.json"));
  ASSERT_EQ(ledger["releases"].size(), 1u);
  EXPECT_EQ(ledger["service"], "hello");
  EXPECT_EQ(ledger["releases"][0]["digest"], digest);
  EXPECT_EQ(ledger["releases"][0]["images"], record["images"]);
  EXPECT_NE(ReadFile(berth_.work_dir() / "RELEASES.md").find("1.0.0"), std::string::npos);

  // Same files: the same digest, and every blob is already there. The sha
  // tag already names this digest: re-releasing it is idempotent.
  json again = berth_.Json(Release("1.0.1"));
  EXPECT_EQ(again["digest"], digest);
  for (const auto& push : again["pushes"]) EXPECT_EQ(push["blobs"]["uploaded"], 0) << push.dump();

  // One file changed: only its layer and the new config go up.
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>hello again</h1>\n");
  Commit("again");
  json changed = berth_.Json(Release("1.1.0"));
  EXPECT_NE(changed["digest"], digest);
  EXPECT_EQ(changed["pushes"][0]["blobs"]["uploaded"], 2);
  EXPECT_EQ(json::parse(ReadFile(berth_.work_dir() / "releases.json"))["releases"].size(), 3u);

  // A version is released once.
  ProcessResult twice = berth_.Run(Release("1.1.0"));
  EXPECT_EQ(twice.exit_code, 3);
  EXPECT_NE(twice.stderr_data.find("version 1.1.0 is already in releases.json; releases are immutable"), std::string::npos) << twice.stderr_data;
}

TEST_F(ReleaseE2eTest, DryRunChangesNothing) {
  StartRegistries();
  json plan = berth_.Json(Release("2.0.0", {"--dry-run"}));
  EXPECT_EQ(plan["dry_run"], true);
  EXPECT_EQ(plan["builder"], "berth");
  EXPECT_EQ(plan["tags"], json::array({"2.0.0", "sha-" + Head().substr(0, 7)}));
  EXPECT_EQ(plan["destinations"].size(), 4u);
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "RELEASES.md"));
  ProcessResult tags = berth_.Run({"tags", a_->host() + "/team/hello", "--plain-http", a_->host()});
  EXPECT_NE(tags.exit_code, 0);  // The repository does not exist.
}

TEST_F(ReleaseE2eTest, DirtyGitTreeIsRefusedUnlessAllowed) {
  StartRegistries();
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>uncommitted</h1>\n");
  ProcessResult refused = berth_.Run(Release("1.0.0"));
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.stderr_data.find("the git tree has 1 uncommitted change(s) ( M site/index.html); commit them or pass --allow-dirty"),
            std::string::npos)
      << refused.stderr_data;
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));

  json record = berth_.Json(Release("1.0.0", {"--allow-dirty"}));
  EXPECT_EQ(record["git"]["dirty"], true);
  EXPECT_EQ(record["git"]["sha"].get<std::string>().size(), 40u);
  // Never the clean commit's tag: that one names what was committed.
  EXPECT_EQ(record["images"][1], a_->host() + "/team/hello:sha-" + record["git"]["sha"].get<std::string>().substr(0, 7) + "-dirty");
}

// Without --env too, and on every registry: a release tag that names another
// digest is refused before anything is pushed. Here a second checkout (no
// shared ledger) releases 1.0.0 again from a newer commit.
TEST_F(ReleaseE2eTest, ReleaseTagsAreImmutableOnEveryRegistry) {
  StartRegistries();
  json first = berth_.Json(Release("1.0.0"));
  const std::string old_sha_tag = "sha-" + Head().substr(0, 7);
  fs::remove(berth_.work_dir() / "releases.json");
  fs::remove(berth_.work_dir() / "RELEASES.md");
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>changed</h1>\n");
  Commit("changed");
  ProcessResult refused = berth_.Run(Release("1.0.0"));
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  const std::string a_line = "tag " + a_->host() + "/team/hello:1.0.0 already names " + first["digest"].get<std::string>() +
                             ", not this release's sha256:";
  const std::string b_line = "tag " + b_->host() + "/mirror/hello:1.0.0 already names " + first["digest"].get<std::string>();
  EXPECT_NE(refused.stderr_data.find(a_line), std::string::npos) << refused.stderr_data;
  EXPECT_NE(refused.stderr_data.find(b_line), std::string::npos) << refused.stderr_data;
  EXPECT_NE(refused.stderr_data.find("release tags are immutable: release a new version, or mark the template mutable in berth.yaml"),
            std::string::npos)
      << refused.stderr_data;
  // Nothing pushed: not even the new commit's sha tag.
  ProcessResult tags = berth_.Run({"tags", a_->host() + "/team/hello", "--plain-http", a_->host(), "-o", "json"});
  // The registry lists tags in the order its storage gives them.
  std::vector<std::string> listed = json::parse(tags.stdout_data).get<std::vector<std::string>>();
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, (std::vector<std::string>{"1.0.0", old_sha_tag}));
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));
}

// A channel tag opts out by name in berth.yaml, and the release says it moved.
TEST_F(ReleaseE2eTest, AMutableChannelTagMovesAndIsAnnounced) {
  StartRegistries(R"(["{version}", {template: edge, mutable: true}])");
  json first = berth_.Json(Release("1.0.0"));
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>edge</h1>\n");
  Commit("edge");
  ProcessResult second = berth_.Run(Release("1.1.0", {"-o", "json"}));
  ASSERT_EQ(second.exit_code, 0) << Describe(second);
  json record = json::parse(second.stdout_data);
  EXPECT_NE(record["digest"], first["digest"]);
  EXPECT_EQ(record["mutable_tags"], json::array({"edge"}));
  EXPECT_NE(second.stderr_data.find("release: tagging " + a_->host() + "/team/hello:edge (mutable in berth.yaml: it moves to " +
                                    record["digest"].get<std::string>() + ")"),
            std::string::npos)
      << second.stderr_data;
  json edge = berth_.Json({"digest", a_->host() + "/team/hello:edge", "--plain-http", a_->host()});
  EXPECT_EQ(edge["digest"], record["digest"]);
}

// `v1.2.8` and `1.2.8` name one release: no `vv1.2.8` tag, one ledger entry.
TEST_F(ReleaseE2eTest, ALeadingVNamesTheSameVersion) {
  StartRegistries(R"(["v{version}"])");
  json record = berth_.Json(Release("v1.2.8"));
  EXPECT_EQ(record["version"], "1.2.8");
  EXPECT_EQ(record["images"], json::array({a_->host() + "/team/hello:v1.2.8", b_->host() + "/mirror/hello:v1.2.8"}));
  for (const char* again : {"1.2.8", "v1.2.8"}) {
    ProcessResult twice = berth_.Run(Release(again));
    EXPECT_EQ(twice.exit_code, 3) << again;
    EXPECT_NE(twice.stderr_data.find("version 1.2.8 is already in releases.json; releases are immutable"), std::string::npos)
        << twice.stderr_data;
  }
}

// A git field outside git, or before the first commit, would render a tag
// every build shares (sha-unknown): refused before anything is built.
TEST_F(ReleaseE2eTest, GitFieldsNeedACommit) {
  WriteProject("127.0.0.1:1", "127.0.0.1:2");
  ProcessResult outside = berth_.Run({"release", "1.0.0"});
  EXPECT_EQ(outside.exit_code, 3);
  EXPECT_NE(outside.stderr_data.find("tag template 'sha-{git.short}' needs {git.short}, but the project is not in a git work tree "
                                     "(git init, then commit)"),
            std::string::npos)
      << outside.stderr_data;
  berth_.Git({"init", "-q"});
  ProcessResult empty = berth_.Run({"release", "1.0.0"});
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_NE(empty.stderr_data.find("tag template 'sha-{git.short}' needs {git.short}, but the git repository has no commits yet"),
            std::string::npos)
      << empty.stderr_data;
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "releases.json"));
}

// The deploy step through a target plugin: tests/plugin_fixtures/test_target.cc
// keeps deployments in a file and fails the versions it is told to.
TEST_F(ReleaseE2eTest, DeploysAndRollsBackToThePreviousHealthyRelease) {
  StartRegistries();
  berth_.SetEnv("BERTH_PLUGIN_PATH", std::string(BERTH_FIXTURE_PLUGIN_DIR) + "/test-target");
  fs::path state = berth_.work_dir() / ".berth" / "deploys.json";
  std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml + "environments:\n  staging:\n    target:\n      plugin: test-target\n      state: " +
                                                        state.string() + "\n      unhealthy_versions: [\"1.1.0\", \"1.2.0\"]\n"
                                                        "    health:\n      path: /healthz\n");
  Commit("staging");
  json first = berth_.Json(Release("1.0.0", {"--env", "staging"}));
  ASSERT_EQ(first["deployments"].size(), 1u);
  EXPECT_EQ(first["deployments"][0]["environment"], "staging");
  EXPECT_EQ(first["deployments"][0]["result"], "healthy");
  const std::string good_image = a_->host() + "/team/hello@" + first["digest"].get<std::string>();

  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>broken</h1>\n");
  Commit("broken");
  ProcessResult failed = berth_.Run(Release("1.1.0", {"--env", "staging", "--auto-rollback", "-o", "json"}));
  EXPECT_EQ(failed.exit_code, 8) << failed.stderr_data;
  EXPECT_NE(failed.stderr_data.find("release: rolling back staging to 1.0.0"), std::string::npos) << failed.stderr_data;
  json deploys = json::parse(ReadFile(state))["history"];
  ASSERT_EQ(deploys.size(), 3u);
  EXPECT_EQ(deploys[1]["version"], "1.1.0");
  EXPECT_EQ(deploys[2]["action"], "rollback");
  EXPECT_EQ(deploys[2]["image"], good_image);
  json ledger = json::parse(ReadFile(berth_.work_dir() / "releases.json"));
  ASSERT_EQ(ledger["releases"].size(), 2u);
  EXPECT_EQ(ledger["releases"][1]["deployments"][0]["result"], "unhealthy");
  EXPECT_EQ(ledger["releases"][0]["deployments"].back()["result"], "rollback");

  // Without --auto-rollback berth says how.
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>broken again</h1>\n");
  Commit("broken again");
  ProcessResult told = berth_.Run(Release("1.2.0", {"--env", "staging"}));
  EXPECT_EQ(told.exit_code, 8);
  EXPECT_NE(told.stderr_data.find("1.2.0 failed in staging (unhealthy); roll back with: berth rollback staging --to 1.0.0"), std::string::npos)
      << told.stderr_data;
  EXPECT_EQ(json::parse(ReadFile(state))["history"].size(), 4u);
}

// --auto-rollback returns to what was live before the failed release, even
// when that is an older release a rollback put there, not the newest healthy one.
TEST_F(ReleaseE2eTest, AutoRollbackReturnsToWhatWasLiveBefore) {
  StartRegistries();
  berth_.SetEnv("BERTH_PLUGIN_PATH", std::string(BERTH_FIXTURE_PLUGIN_DIR) + "/test-target");
  fs::path state = berth_.work_dir() / ".berth" / "deploys.json";
  std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml + "environments:\n  staging:\n    target:\n      plugin: test-target\n      state: " +
                                                        state.string() + "\n      unhealthy_versions: [\"1.0.3\"]\n"
                                                        "    health:\n      path: /healthz\n");
  Commit("staging");
  std::map<std::string, std::string> images;
  for (const char* version : {"1.0.0", "1.0.1", "1.0.2"}) {
    WriteFileAtomic(berth_.work_dir() / "site" / "index.html", std::string("<h1>") + version + "</h1>\n");
    Commit(version);
    json released = berth_.Json(Release(version, {"--env", "staging"}));
    images[version] = a_->host() + "/team/hello@" + released["digest"].get<std::string>();
  }
  ProcessResult back = berth_.Run({"rollback", "staging", "--to", "1.0.0"});
  ASSERT_EQ(back.exit_code, 0) << Describe(back);

  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>broken</h1>\n");
  Commit("broken");
  ProcessResult failed = berth_.Run(Release("1.0.3", {"--env", "staging", "--auto-rollback"}));
  EXPECT_EQ(failed.exit_code, 8) << failed.stderr_data;
  EXPECT_NE(failed.stderr_data.find("release: rolling back staging to 1.0.0"), std::string::npos) << failed.stderr_data;
  json deploys = json::parse(ReadFile(state))["history"];
  ASSERT_EQ(deploys.size(), 6u) << deploys.dump(2);
  EXPECT_EQ(deploys[5]["action"], "rollback");
  EXPECT_EQ(deploys[5]["image"], images["1.0.0"]);
  // This target records no specification (as a plugin built before it): said, and today's berth.yaml is used.
  EXPECT_NE(failed.stderr_data.find("holds no recorded specification of 1.0.0 here"), std::string::npos) << failed.stderr_data;

  json ledger = json::parse(ReadFile(berth_.work_dir() / "releases.json"));
  EXPECT_EQ(ledger["releases"][3]["deployments"][0]["state"], "rolled-back");
  EXPECT_EQ(ledger["releases"][2]["deployments"][0]["state"], "rolled-back");
  EXPECT_EQ(ledger["releases"][0]["deployments"].back()["kind"], "rollback");
  EXPECT_EQ(ledger["releases"][0]["deployments"].back()["from"], "1.0.3");
  // berth history shows the failed release as such, not as deployed.
  ProcessResult history = berth_.Run({"history"});
  EXPECT_NE(history.stdout_data.find("staging (rolled-back)"), std::string::npos) << history.stdout_data;
  EXPECT_EQ(berth_.Json({"history"})[0]["deployments"][0]["state"], "rolled-back");
}

// A private key in git is public once pushed: release refuses, naming the
// file, whether the name or only the content gives it away.
TEST_F(ReleaseE2eTest, RefusesWhileGitTracksAPrivateKey) {
  WriteProject("127.0.0.1:1", "127.0.0.1:2", R"(["{version}"])");
  WriteFileAtomic(berth_.work_dir() / ".gitignore", "");
  berth_.Git({"init", "-q"});
  Commit("first");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"cosign.key", "a private key file by its name"},
      {"config/server.pem", "a PEM private key"},
      {"keys/release.key", "a PEM private key"},  // cosign's encrypted label.
      {".asap-config", "an ASAP private key (privateKey)"},
      {"deploy/asap.env", "a private key as a data URI"},
  };
  const std::map<std::string, std::string> content = {
      {"cosign.key", "not even a key, but the name says it is one\n"},
      {"config/server.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN EC PRIVATE KEY-----\nMHcC\n"
                            "-----END EC PRIVATE KEY-----\n"},
      {"keys/release.key", "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"},
      {".asap-config", R"({"issuer": "micros/hello", "privateKey": "MII..."})"},
      {"deploy/asap.env", "ASAP_PRIVATE_KEY=data:application/pkcs8;kid=micros%2Fhello;base64,MIIE\n"},
  };
  for (const auto& [file, reason] : cases) {
    CreateDirectories((berth_.work_dir() / file).parent_path());
    WriteFileAtomic(berth_.work_dir() / file, content.at(file), 0600);
    Commit("add " + file);
    ProcessResult refused = berth_.Run({"release", "1.0.0", "--dry-run"});
    EXPECT_EQ(refused.exit_code, 3) << file;
    EXPECT_EQ(refused.stderr_data, "error: git tracks " + file + ", which holds " + reason + "; untrack it (git rm --cached " + file +
                                       "), add it to .gitignore, and rotate the key if it was ever pushed\n");
    berth_.Git({"rm", "-q", "--cached", file});
    WriteFileAtomic(berth_.work_dir() / ".gitignore", ReadFile(berth_.work_dir() / ".gitignore").append("/" + file + "\n"));
    Commit("untrack " + file);
  }
  // A public key and a certificate are fine.
  WriteFileAtomic(berth_.work_dir() / "cosign.pub", "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n");
  Commit("public key");
  ProcessResult allowed = berth_.Run({"release", "1.0.0", "--dry-run"});
  EXPECT_EQ(allowed.exit_code, 0) << Describe(allowed);
}

// -q means errors only: no release steps, and the table never holds JSON.
TEST_F(ReleaseE2eTest, QuietReleaseAndAPlainTable) {
  StartRegistries();
  ProcessResult quiet = berth_.Run(Release("1.0.0", {"-q", "-o", "json"}));
  ASSERT_EQ(quiet.exit_code, 0) << Describe(quiet);
  EXPECT_EQ(quiet.stderr_data, "");
  EXPECT_EQ(json::parse(quiet.stdout_data)["version"], "1.0.0");
  ProcessResult table = berth_.Run(Release("1.0.1", {"-q"}));
  ASSERT_EQ(table.exit_code, 0) << Describe(table);
  EXPECT_EQ(table.stdout_data.find('{'), std::string::npos) << table.stdout_data;
  EXPECT_EQ(table.stdout_data.find('['), std::string::npos) << table.stdout_data;
  EXPECT_NE(table.stdout_data.find(a_->host() + "/team/hello:1.0.1"), std::string::npos) << table.stdout_data;
}

// The builder's own output is progress too: -q keeps it off stderr. (A
// stand-in buildah on PATH that only talks; the build then fails for lack of
// a layout, which is all this needs.)
TEST_F(ReleaseE2eTest, QuietBuildSilencesTheBuilder) {
  fs::path bin = berth_.home() / "bin";
  CreateDirectories(bin);
  WriteFileAtomic(bin / "buildah", "#!/bin/sh\necho 'STEP 1/1: noise from buildah' >&2\nexit 0\n", 0755);
  berth_.SetEnv("PATH", bin.string() + ":" + std::getenv("PATH"));
  WriteFileAtomic(berth_.work_dir() / "site" / "Dockerfile", "FROM scratch\nCOPY . /\n");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", "service: hello\nimage: 127.0.0.1:1/team/hello\nbuild:\n  context: site\n"
                                                   "  dockerfile: site/Dockerfile\n  builder: buildah\n");
  ProcessResult loud = berth_.Run({"build"});
  EXPECT_NE(loud.stderr_data.find("noise from buildah"), std::string::npos) << Describe(loud);
  ProcessResult quiet = berth_.Run({"build", "-q"});
  EXPECT_NE(quiet.exit_code, 0);
  EXPECT_EQ(quiet.stderr_data.find("noise from buildah"), std::string::npos) << Describe(quiet);
}

// One registry, and it fails: no talk of "the others".
TEST_F(ReleaseE2eTest, TheOnlyRegistryFailing) {
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", "service: hello\nimage: 127.0.0.1:1/team/hello\nbuild:\n  context: site\n"
                                                   "  builder: berth\n");
  berth_.Git({"init", "-q"});
  Commit("first");
  ProcessResult failed = berth_.Run({"release", "1.0.0", "--plain-http", "127.0.0.1:1"});
  EXPECT_NE(failed.exit_code, 0);
  // Found before the build: nothing was built, so there is nothing to resume.
  EXPECT_NE(failed.stderr_data.find("error: release 1.0.0: release 127.0.0.1:1/team/hello: "), std::string::npos) << failed.stderr_data;
  EXPECT_NE(failed.stderr_data.find("; nothing was built or pushed\n"), std::string::npos) << failed.stderr_data;
  EXPECT_EQ(failed.stderr_data.find("release: building"), std::string::npos) << failed.stderr_data;
  EXPECT_FALSE(fs::exists(berth_.work_dir() / ".berth" / "release"));
  EXPECT_EQ(failed.stderr_data.find("the others"), std::string::npos) << failed.stderr_data;
}

// berth copy to a repository without a tag writes the manifest by digest
// only, and says so; inspect's config flag is not the global --config.
TEST_F(ReleaseE2eTest, CopyWithoutATagAndInspectImageConfig) {
  StartRegistries();
  json record = berth_.Json(Release("1.0.0"));
  const std::string digest = record["digest"];
  json copied = berth_.Json({"copy", a_->host() + "/team/hello:1.0.0", a_->host() + "/team/copied", "--plain-http", a_->host()});
  EXPECT_EQ(copied["destination"], a_->host() + "/team/copied@" + digest);
  ProcessResult table = berth_.Run({"copy", a_->host() + "/team/hello:1.0.0", a_->host() + "/team/copied", "--plain-http", a_->host()});
  ASSERT_EQ(table.exit_code, 0) << Describe(table);
  EXPECT_EQ(table.stdout_data.find(":latest"), std::string::npos) << table.stdout_data;
  ProcessResult latest = berth_.Run({"digest", a_->host() + "/team/copied:latest", "--plain-http", a_->host()});
  EXPECT_NE(latest.exit_code, 0);  // Indeed never written.

  ProcessResult config = berth_.Run({"inspect", a_->host() + "/team/hello:1.0.0", "--image-config", "--plain-http", a_->host()});
  ASSERT_EQ(config.exit_code, 0) << Describe(config);
  json image_config = json::parse(config.stdout_data);
  EXPECT_EQ(image_config["config"]["ExposedPorts"], json::parse(R"({"8080/tcp": {}})"));
}

TEST_F(ReleaseE2eTest, RefusesANonSemanticVersion) {
  WriteProject("127.0.0.1:1", "127.0.0.1:2");
  ProcessResult result = berth_.Run({"release", "1.0"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.stderr_data.find("version '1.0' is not semantic (MAJOR.MINOR.PATCH, e.g. 1.4.2 or 2.0.0-rc.1)"), std::string::npos)
      << result.stderr_data;
}

}  // namespace
}  // namespace berth::testing
