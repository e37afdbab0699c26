// A cloned repository whose berth.yaml points every setting that can carry a
// credential or run a program at things the test controls: a listener on
// 127.0.0.1 that journals every request, a kubeconfig whose exec: plugin and
// an atlas that leave a marker file. With the user's tokens in the
// environment, nothing may reach the listener and nothing may run until the
// user trusts the project (docs/security.md, "A hostile berth.yaml").
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "background_server.h"
#include "berth/util/fs.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

const std::string kListener = BERTH_SOURCE_DIR "/tests/e2e/tools/recording_listener.py";
const std::string kGhToken = "ghp_hostileTestToken0123456789abcdefABCD";
const std::string kFileToken = "ghp_tokenFromTheUsersFile0123456789abcd";
// Not a key (berth never parses it here): a value that must reach nothing.
const std::string kAsapKey = "-----BEGIN PRIVATE KEY-----\nasapPrivateKeyHostileTest0123456789\n-----END PRIVATE KEY-----\n";
const std::string kImage = "127.0.0.1:1/acme/shop@sha256:" + std::string(64, 'a');
const std::string kHow = "(run 'berth trust' after reading berth.yaml)";
const std::string kUntrusted = "this project is not trusted " + kHow;
const std::string kChanged = "settings that need trust changed since this project was trusted " + kHow;

class HostileProjectE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_ = std::make_unique<BackgroundServer>(std::vector<std::string>{
        "/usr/bin/python3", kListener, "--journal", Journal().string(), "--google-key", GoogleKey().string(), "--exit-on-stdin-eof"});
    // What a developer's machine or a CI runner has in reach.
    berth_.SetEnv("GH_TOKEN", kGhToken);
    berth_.SetEnv("GITHUB_TOKEN", kGhToken);
    berth_.SetEnv("GOOGLE_APPLICATION_CREDENTIALS", GoogleKey().string());
    berth_.SetEnv("ARTIFACTORY_USER", "staff1");
    berth_.SetEnv("ARTIFACTORY_TOKEN", "artifactory-token-0123456789");
    berth_.SetEnv("COSIGN_PASSWORD", "cosign-password-0123456789");
    berth_.SetEnv("ASAP_ISSUER", "micros/shop");
    berth_.SetEnv("ASAP_KEY_ID", "micros/shop/key1");
    berth_.SetEnv("ASAP_PRIVATE_KEY", kAsapKey);
    berth_.SetEnv("no_proxy", "127.0.0.1,localhost");
    berth_.SetEnv("NO_PROXY", "127.0.0.1,localhost");
    for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "HTTP_PROXY", "all_proxy", "ALL_PROXY"}) berth_.SetEnv(name, "");
    WriteFileAtomic(berth_.home() / ".config" / "gh" / "token", kFileToken + "\n", 0600);
    WriteFileAtomic(berth_.home() / ".docker" / "config.json",
                    R"({"auths": {"127.0.0.1:1": {"auth": "dXNlcjpkb2NrZXItcGFzc3dvcmQtMDEyMzQ1Njc4OQ=="}}})", 0600);
    berth_.SetEnv("DOCKER_CONFIG", (berth_.home() / ".docker").string());

    // The repository: a kubeconfig whose server is the listener and whose
    // exec plugin is the repository's own script, an atlas of its own.
    const fs::path repo = berth_.work_dir();
    WriteFileAtomic(repo / "kube" / "config",
                    "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                    "clusters: [{name: c, cluster: {server: \"" + listener_->url() + "\"}}]\n"
                    "contexts: [{name: c, context: {cluster: c, user: u, namespace: shop}}]\n"
                    "users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                    "      command: ../tools/kube-auth\n      interactiveMode: Never\n");
    WriteFileAtomic(repo / "tools" / "kube-auth",
                    "#!/bin/sh\nenv > '" + Marker("exec-ran").string() + "'\n"
                    "echo '{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"kind\": \"ExecCredential\", "
                    "\"status\": {\"token\": \"exec-token\"}}'\n",
                    0755);
    WriteFileAtomic(repo / "tools" / "atlas",
                    "#!/bin/sh\nenv > '" + Marker("atlas-ran").string() + "'\necho \"Error: service 'shop' not found\" >&2\nexit 1\n",
                    0755);
    WriteFileAtomic(repo / ".env.staging", "API_KEY=value-from-the-env-file-0123\n", 0600);
    WriteProject(listener_->url());
    // These tests are about trust, so the user allows the listener as a
    // GitHub and Google host; which hosts a project may name even trusted
    // is ATrustedProjectSendsPlatformTokensOnlyWhereTheUserAllows.
    berth_.AllowCredentialHost("github", ListenerHost());
    berth_.AllowCredentialHost("google", ListenerHost());
  }

  // "127.0.0.1:PORT", as the user's config names it.
  std::string ListenerHost() const { return listener_->url().substr(std::string("http://").size()); }

  fs::path Journal() const { return berth_.home() / "listener.jsonl"; }
  fs::path GoogleKey() const { return berth_.home() / "user-google-key.json"; }
  fs::path Marker(const std::string& name) const { return berth_.home() / ("marker-" + name); }
  fs::path TrustFile() const { return berth_.home() / "config" / "berth" / "trusted-projects.json"; }

  // `staging_setting` replaces the api-url line (14) of the staging store.
  void WriteProject(const std::string& api_url, const std::string& staging_setting = "") {
    const std::string home = berth_.home().string();
    const std::string url = listener_->url();
    WriteFileAtomic(berth_.work_dir() / "berth.yaml",
                    "service: shop\n"                                            // 1
                    "image: 127.0.0.1:1/acme/shop\n"                             // 2
                    "signing:\n"                                                 // 3
                    "  key: " + home + "/keys/cosign.key\n"                      // 4
                    "environments:\n"                                            // 5
                    "  staging:\n"                                               // 6
                    "    target:\n"                                              // 7
                    "      plugin: k8s\n"                                        // 8
                    "      kubeconfig: kube/config\n"                            // 9
                    "    secrets:\n"                                             // 10
                    "      store: github-actions\n"                              // 11
                    "      from: .env.staging\n"                                 // 12
                    "      settings:\n"                                          // 13
                    "        " + (staging_setting.empty() ? "api-url: " + api_url : staging_setting) + "\n"  // 14
                    "        token-file: " + home + "/.config/gh/token\n"        // 15
                    "        repository: acme/shop\n"                            // 16
                    "    health:\n"                                              // 17
                    "      url: " + url + "/healthz\n"                           // 18
                    "  prod:\n"                                                  // 19
                    "    target:\n"                                              // 20
                    "      plugin: micros\n"                                     // 21
                    "      atlas: ./tools/atlas\n"                               // 22
                    "    secrets:\n"                                             // 23
                    "      store: gcp-secret-manager\n"                          // 24
                    "      from: .env.staging\n"                                 // 25
                    "      settings:\n"                                          // 26
                    "        secretmanager-url: " + url + "\n"                   // 27
                    "        key-file: " + GoogleKey().string() + "\n"           // 28
                    "        project: users-own-project\n");                     // 29
  }

  std::vector<nlohmann::json> Requests() const {
    std::vector<nlohmann::json> requests;
    std::ifstream in(Journal());
    for (std::string line; std::getline(in, line);) requests.push_back(nlohmann::json::parse(line));
    return requests;
  }

  // The refusal lines, as berth prints them on stderr.
  static std::string Refusal(const std::vector<std::string>& settings, const std::string& state = kUntrusted) {
    std::string text;
    for (const auto& setting : settings) text += "error: " + setting + "; " + state + "\n";
    return text;
  }

  // Every command a user might run first in a fresh clone, and what each
  // must refuse.
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> refused;
    std::string prefix;  // A plugin's command names itself first.
  };
  std::vector<Case> Cases() const {
    const std::string api_url = "berth.yaml:14:18: environments.staging.secrets.settings.api-url names an endpoint";
    const std::string token_file = "berth.yaml:15:21: environments.staging.secrets.settings.token-file names a credential file";
    const std::string kubeconfig = "berth.yaml:9:19: environments.staging.target.kubeconfig names a credential file";
    const std::string atlas = "berth.yaml:22:14: environments.prod.target.atlas names a program";
    const std::string secretmanager = "berth.yaml:27:28: environments.prod.secrets.settings.secretmanager-url names an endpoint";
    const std::string key_file = "berth.yaml:28:19: environments.prod.secrets.settings.key-file names a credential file";
    const std::string signing_key = "berth.yaml:4:8: signing.key names a credential file";
    return {
        {{"secrets", "list", "staging"}, {api_url, token_file}},
        {{"secrets", "diff", "staging"}, {api_url, token_file}},
        {{"secrets", "sync", "staging", "--dry-run"}, {api_url, token_file}},
        {{"secrets", "sync", "staging"}, {api_url, token_file}},
        {{"secrets", "set", "staging", "API_KEY", "--from-file", ".env.staging"}, {api_url, token_file}},
        {{"secrets", "delete", "prod", "API_KEY"}, {secretmanager, key_file}},
        {{"secrets", "list", "prod"}, {secretmanager, key_file}},
        {{"secrets", "diff", "prod"}, {secretmanager, key_file}},
        {{"deploy", "staging", "--image", kImage, "--dry-run"}, {kubeconfig}},
        {{"deploy", "staging", "--image", kImage}, {kubeconfig}},
        {{"status", "staging"}, {kubeconfig}},
        {{"rollback", "staging", "--image", kImage}, {kubeconfig}},
        {{"deploy", "prod", "--image", kImage, "--version", "1.0.0", "--dry-run"}, {atlas}},
        {{"deploy", "prod", "--image", kImage, "--version", "1.0.0"}, {atlas}},
        {{"status", "prod"}, {atlas}},
        {{"history", "prod"}, {atlas}},
        // A plugin's own command reads the environment through the host.
        {{"micros", "descriptor", "render", "--env", "prod", "--image", kImage}, {atlas, secretmanager, key_file},
         "micros descriptor render: "},
        {{"release", "1.0.0", "--dry-run"}, {signing_key}},
        {{"release", "1.0.0", "--env", "staging", "--dry-run"}, {signing_key, kubeconfig}},
        {{"release", "1.0.0"}, {signing_key}},
        {{"release", "1.0.0", "--env", "prod"}, {signing_key, atlas}},
    };
  }

  void ExpectEveryCommandRefused(const std::string& state) {
    for (const Case& c : Cases()) {
      ProcessResult result = berth_.Run(c.args);
      EXPECT_EQ(result.exit_code, 3) << ::testing::PrintToString(c.args) << "\n" << Describe(result);
      std::string expected = Refusal(c.refused, state);
      expected.insert(std::string("error: ").size(), c.prefix);
      EXPECT_EQ(result.stderr_data, expected) << ::testing::PrintToString(c.args);
    }
    EXPECT_TRUE(Requests().empty()) << Requests().front().dump();
    EXPECT_FALSE(fs::exists(Marker("exec-ran")));
    EXPECT_FALSE(fs::exists(Marker("atlas-ran")));
  }

  BerthRunner berth_;
  std::unique_ptr<BackgroundServer> listener_;
};

// The fresh clone: every command that would hand a marked setting to a
// plugin refuses, one line per setting, exit 3, before any plugin object
// exists: the listener hears nothing, no program of the repository runs.
// What needs no trust still works.
TEST_F(HostileProjectE2eTest, AnUntrustedProjectReachesNothingAndRunsNothing) {
  ExpectEveryCommandRefused(kUntrusted);
  EXPECT_FALSE(fs::exists(TrustFile()));

  auto history = berth_.Run({"history"});
  EXPECT_EQ(history.exit_code, 0) << Describe(history);
  auto schema = berth_.Run({"schema"});
  EXPECT_EQ(schema.exit_code, 0) << Describe(schema);
  // A store or a kubeconfig the user names on the command line is the
  // user's choice.
  auto own_store = berth_.Run({"secrets", "list", "staging", "--store", "file"});
  EXPECT_EQ(own_store.exit_code, 0) << Describe(own_store);
  const std::string own_kubeconfig = (berth_.home() / "users-kubeconfig").string();
  auto own_cluster = berth_.Run({"status", "staging", "--kubeconfig", own_kubeconfig});
  EXPECT_EQ(own_cluster.stderr_data, "error: k8s: status: kubeconfig " + own_kubeconfig + " does not exist\n");
  // Only the user opts in: BERTH_TRUST_PROJECT must be exactly 1, and
  // berth.yaml has no field that could trust itself.
  berth_.SetEnv("BERTH_TRUST_PROJECT", "yes");
  EXPECT_EQ(berth_.Run({"status", "prod"}).exit_code, 3);
  std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", "trust: true\n" + yaml);
  auto self_trusted = berth_.Run({"status", "prod"});
  EXPECT_EQ(self_trusted.exit_code, 3);
  EXPECT_EQ(self_trusted.stderr_data.rfind("error: berth.yaml:1:1: unknown field 'trust' in berth.yaml", 0), 0u) << self_trusted.stderr_data;
  EXPECT_TRUE(Requests().empty());
  EXPECT_FALSE(fs::exists(Marker("atlas-ran")));
}

// `berth trust` records the project; then the same commands go where the
// project says (the listener hears them, the programs run), a plan lists
// what runs, and atlas gets none of berth's other tokens.
TEST_F(HostileProjectE2eTest, TrustLetsTheSameCommandsProceed) {
  auto trusted = berth_.Json({"trust"});
  EXPECT_EQ(trusted["dir"], fs::canonical(berth_.work_dir()).string());
  EXPECT_EQ(trusted["trusted"], true);
  ASSERT_EQ(trusted["settings"].size(), 7u) << trusted.dump(2);
  EXPECT_EQ(trusted["settings"][0]["field"], "signing.key");
  EXPECT_EQ(trusted["settings"][0]["where"], "berth.yaml:4:8");
  struct stat info {};
  ASSERT_EQ(stat(TrustFile().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto list = berth_.Run({"secrets", "list", "staging"});
  EXPECT_EQ(list.stderr_data.find("trust"), std::string::npos) << Describe(list);
  bool token_sent = false;
  for (const auto& request : Requests()) token_sent |= request["headers"].dump().find(kFileToken) != std::string::npos;
  EXPECT_TRUE(token_sent) << "the trusted project's api-url got no request with its token-file's token";

  auto status = berth_.Run({"status", "staging"});
  EXPECT_EQ(status.stderr_data.find("not trusted"), std::string::npos) << Describe(status);
  EXPECT_TRUE(fs::exists(Marker("exec-ran"))) << Describe(status);

  auto plan = berth_.Run({"deploy", "prod", "--image", kImage, "--version", "1.0.0", "--dry-run", "-o", "json"});
  ASSERT_EQ(plan.exit_code, 0) << Describe(plan);
  const std::string atlas = fs::canonical(berth_.work_dir() / "tools" / "atlas").string();
  EXPECT_NE(plan.stdout_data.find("\"run " + atlas + " micros service deploy --service shop --env prod"), std::string::npos)
      << plan.stdout_data;
  ASSERT_TRUE(fs::exists(Marker("atlas-ran")));
  const std::string atlas_env = ReadFile(Marker("atlas-ran"));
  for (const std::string& secret : {kGhToken, std::string("artifactory-token-0123456789"), std::string("cosign-password-0123456789"),
                                    std::string("asapPrivateKeyHostileTest0123456789")}) {
    EXPECT_EQ(atlas_env.find(secret), std::string::npos) << "atlas inherited " << secret;
  }
  EXPECT_EQ(atlas_env.find("GOOGLE_APPLICATION_CREDENTIALS"), std::string::npos);

  size_t before = Requests().size();
  berth_.Run({"secrets", "list", "prod"});
  EXPECT_GT(Requests().size(), before) << "the trusted gcp-secret-manager settings were not used";
  // Trusted, the project's endpoints get what their settings send, and
  // nothing else berth has in reach.
  std::string journal = ReadFile(Journal());
  for (const std::string& other : {std::string("asapPrivateKeyHostileTest0123456789"), std::string("artifactory-token-0123456789"),
                                   std::string("cosign-password-0123456789"), std::string("docker-password-0123456789"),
                                   std::string("dXNlcjpkb2NrZXItcGFzc3dvcmQtMDEyMzQ1Njc4OQ==")}) {
    EXPECT_EQ(journal.find(other), std::string::npos) << "the listener received " << other;
  }
}

// Trust is for the settings as they were read: changing one refuses the
// project again until it is trusted again; --trust and
// BERTH_TRUST_PROJECT=1 trust one run; --revoke and --list manage the file.
TEST_F(HostileProjectE2eTest, AChangedSettingRevokesTrustAndCiOptsInExplicitly) {
  ASSERT_EQ(berth_.Run({"trust"}).exit_code, 0);
  // Edits that need no trust keep it.
  std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", yaml + "    health:\n      timeout: 5s\n");
  auto still = berth_.Run({"deploy", "prod", "--image", kImage, "--version", "1.0.0", "--dry-run"});
  EXPECT_EQ(still.exit_code, 0) << Describe(still);
  fs::remove(Marker("atlas-ran"));
  fs::remove(Journal());

  WriteProject(listener_->url() + "/elsewhere");
  ExpectEveryCommandRefused(kChanged);

  auto once = berth_.Run({"--trust", "deploy", "prod", "--image", kImage, "--version", "1.0.0", "--dry-run"});
  EXPECT_EQ(once.exit_code, 0) << Describe(once);
  EXPECT_TRUE(fs::exists(Marker("atlas-ran")));
  fs::remove(Marker("atlas-ran"));
  berth_.TrustProjects();
  auto ci = berth_.Run({"deploy", "prod", "--image", kImage, "--version", "1.0.0", "--dry-run"});
  EXPECT_EQ(ci.exit_code, 0) << Describe(ci);
  EXPECT_TRUE(fs::exists(Marker("atlas-ran")));
  fs::remove(Marker("atlas-ran"));
  berth_.SetEnv("BERTH_TRUST_PROJECT", "");
  fs::remove(Journal());

  auto listed = berth_.Json({"trust", "--list"});
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["dir"], fs::canonical(berth_.work_dir()).string());
  EXPECT_EQ(listed[0]["settings"].size(), 7u);
  auto revoked = berth_.Json({"trust", "--revoke"});
  EXPECT_EQ(revoked["revoked"], true);
  EXPECT_TRUE(berth_.Json({"trust", "--list"}).empty());
  auto again = berth_.Run({"trust", "--revoke", berth_.work_dir().string()});
  EXPECT_EQ(again.exit_code, 6) << Describe(again);
  ExpectEveryCommandRefused(kUntrusted);
}

// Trust lets berth.yaml choose an endpoint; it does not let it send the
// user's platform tokens anywhere. A setting that gets GH_TOKEN or a Google
// token must name the platform's own host, or one the user allowed in
// their own config file: the listener hears nothing until then, the
// project cannot allow it itself, and what the environment says is the
// user's.
TEST_F(HostileProjectE2eTest, ATrustedProjectSendsPlatformTokensOnlyWhereTheUserAllows) {
  berth_.ForgetCredentialHosts();
  const std::string host = ListenerHost();
  const std::string config = berth_.UserConfigFile().string();
  auto refusal = [&](const std::string& where, const std::string& setting, const std::string& platform, const std::string& shown,
                     const std::string& defaults, const std::string& owner) {
    return "error: " + where + ": " + setting + ": " + shown + " is not a " + platform + " host (" + defaults +
           ") and your berth config does not allow it, so it gets no " + platform + " credentials; if it is yours, add "
           "credential-hosts: {" + platform + ": [\"" + shown + "\"]} to " + config + " (" + owner + ")\n";
  };
  const std::string google = refusal("berth.yaml:27:28", "environments.prod.secrets.settings.secretmanager-url", "google", host,
                                     "secretmanager.googleapis.com", "the gcp-secret-manager secret store");
  const std::string github = refusal("berth.yaml:14:18", "environments.staging.secrets.settings.api-url", "github", host,
                                     "api.github.com", "the github-actions secret store");
  auto expect_refused = [&](const std::vector<std::string>& args, const std::string& stderr_data) {
    ProcessResult result = berth_.Run(args);
    EXPECT_EQ(result.exit_code, 3) << ::testing::PrintToString(args) << "\n" << Describe(result);
    EXPECT_EQ(result.stderr_data, stderr_data) << ::testing::PrintToString(args);
  };

  // Trusted, for one run or recorded: the user cannot even trust the
  // project into it, and every command stops before any plugin runs.
  expect_refused({"trust"}, google);
  EXPECT_FALSE(fs::exists(TrustFile()));
  for (const auto& args : std::vector<std::vector<std::string>>{{"--trust", "secrets", "list", "prod"},
                                                                {"--trust", "secrets", "sync", "prod"},
                                                                {"--trust", "secrets", "list", "staging"},
                                                                {"--trust", "deploy", "staging", "--image", kImage, "--dry-run"}}) {
    expect_refused(args, google);
  }
  berth_.AllowCredentialHost("google", host);
  expect_refused({"--trust", "secrets", "list", "staging"}, github);
  expect_refused({"--trust", "secrets", "sync", "staging"}, github);
  // Another port of the same machine is another host.
  const std::string other_port = host.substr(0, host.rfind(':') + 1) + (host.ends_with(":1") ? "2" : "1");
  berth_.AllowCredentialHost("github", other_port);
  expect_refused({"--trust", "secrets", "list", "staging"}, github);
  // ghcr's registry host counts too: containers.HOST would make
  // https://HOST/api/v3 the API that gets the token.
  WriteProject(listener_->url(), "registry: containers." + host);
  expect_refused({"--trust", "secrets", "list", "staging"},
                 refusal("berth.yaml:14:19", "environments.staging.secrets.settings.registry", "github", "containers." + host,
                         "ghcr.io", "the github-actions secret store"));
  // berth.yaml has no say in it.
  WriteProject(listener_->url());
  std::string yaml = ReadFile(berth_.work_dir() / "berth.yaml");
  WriteFileAtomic(berth_.work_dir() / "berth.yaml", "credential-hosts:\n  github: [\"" + host + "\"]\n" + yaml);
  ProcessResult self_allowed = berth_.Run({"--trust", "secrets", "list", "staging"});
  EXPECT_EQ(self_allowed.exit_code, 3) << Describe(self_allowed);
  EXPECT_EQ(self_allowed.stderr_data.rfind("error: berth.yaml:1:1: unknown field 'credential-hosts' in berth.yaml", 0), 0u)
      << self_allowed.stderr_data;
  EXPECT_TRUE(Requests().empty()) << Requests().front().dump();

  // What the environment says is the user's: GITHUB_API_URL (a CI runner's)
  // needs no allowance, berth.yaml naming no api-url.
  WriteProject(listener_->url(), "repository: acme/shop");
  berth_.SetEnv("GITHUB_API_URL", listener_->url());
  berth_.Run({"--trust", "secrets", "list", "staging"});
  ASSERT_FALSE(Requests().empty()) << "GITHUB_API_URL was not used";
  EXPECT_NE(Requests().front()["headers"].dump().find(kFileToken), std::string::npos) << Requests().front().dump();
  berth_.SetEnv("GITHUB_API_URL", "");
  fs::remove(Journal());

  // Allowed by the user, the same berth.yaml works.
  WriteProject(listener_->url());
  berth_.AllowCredentialHost("github", host);
  ProcessResult allowed = berth_.Run({"--trust", "secrets", "list", "staging"});
  EXPECT_EQ(allowed.stderr_data.find("credential"), std::string::npos) << Describe(allowed);
  ASSERT_FALSE(Requests().empty()) << Describe(allowed);
  EXPECT_NE(Requests().front()["headers"].dump().find(kFileToken), std::string::npos) << Requests().front().dump();
}

}  // namespace
}  // namespace berth::testing
