// Secret hygiene across the suite (issue 8): known, distinctive secret values
// go through every path of berth that handles one, at -vvv, against the real
// peers and the vendor stand-ins the other e2e tests use, including error
// paths (wrong password, 401, 403, a tampered manifest, a failing atlas).
// Every berth command runs under strace (execve only) so that every child's
// argv is recorded. Afterwards we scan: berth's stdout and stderr, the
// recorded argv of berth and every child, the stand-ins' request journals and
// the atlas log, the registry's own log, and every file under the test's HOME
// (XDG dirs, DOCKER_CONFIG, the work dir, and TMPDIR, which points inside
// it). A secret may be only in the files listed as where the user keeps it,
// and those must be 0600; TMPDIR must be empty at the end. Findings name the
// secret and an offset, never the value (secret_scan.h).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>

#include "background_server.h"
#include "berth/http/client.h"
#include "berth/http/url.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth/util/jwt.h"
#include "berth/util/process.h"
#include "berth_runner.h"
#include "github_standin_test_util.h"
#include "kube_standin.h"
#include "secret_scan.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

// Distinctive values: none of them can turn up by accident.
const std::string kRegistryPassword = "hyg-registry-pass-5c1f0e9a7d3b";
const std::string kReaderPassword = "hyg-reader-pass-1d7b3f9e5a2c";
const std::string kWrongPassword = "hyg-wrong-pass-3a9c7e1d5b4f";
const std::string kTokenRegistryPassword = "hyg-token-reg-pass-8e2d4a6c0b1f";
const std::string kGithubPat = "ghp_hyg0Pat1a2b3c4d5e6f7g8h9i0jKLMNOPQRS";
const std::string kGithubReadOnlyPat = "ghp_hyg0ReadOnly9z8y7x6w5v4u3t2s1rQPONM";
const std::string kGithubBadPat = "ghp_hyg0NotATokenAtAll00000000000000000";
const std::string kActionsValue = "hyg-actions-secret-4b8e1f0a2c6d";
const std::string kActionsEnvValue = "hyg-actions-env-value-0e4a8c2f6b";
const std::string kGsmValue = "hyg-gsm-value-9d2f6b1e3a7c";
const std::string kCosignPassword = "hyg-cosign-pass-6a1e9f2c4d8b";
const std::string kCosignWrongPassword = "hyg-cosign-wrong-2b6f0d4a8e";
const std::string kDbPassword = "hyg-env-db-pass-2e7c9a1f5b3d";
const std::string kK8sSecret = "hyg-k8s-secret-value-7f3b1d9e5c";

const std::string kAtlas = BERTH_SOURCE_DIR "/tests/standins/atlas/atlas";
const std::string kHealthServer = BERTH_SOURCE_DIR "/tests/e2e/tools/health_server.py";
const std::string kAsapServer = BERTH_SOURCE_DIR "/tests/interop/asap/asap_http_server.py";
const std::string kExecPlugin = K8S_TESTDATA_DIR "/exec_plugin.py";

std::string Joined(const std::vector<std::string>& args) {
  std::string text;
  for (const auto& arg : args) text += (text.empty() ? "" : " ") + arg;
  return text;
}

// A fresh RSA key in PEM, made by openssl at run time (a multi-line secret).
std::string OpensslKey() {
  ProcessResult made = RunProcess({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}, {});
  if (made.exit_code != 0) throw std::runtime_error("openssl genpkey: " + made.stderr_data);
  return made.stdout_data;
}

// The scanner itself, on planted leaks: it must see each usual disguise.
TEST(SecretScanTest, FindsPlantedLeaksInTheirUsualDisguises) {
  SecretScanner scanner;
  scanner.Add("pass", kRegistryPassword);
  const std::string pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
                          "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n-----END PRIVATE KEY-----\n";
  scanner.Add("pem", pem);
  auto found = [&](const std::string& text) {
    auto findings = scanner.ScanText("planted", text);
    return findings.empty() ? std::string("none") : findings[0].secret + "/" + findings[0].encoding + "@" + std::to_string(findings[0].offset);
  };
  EXPECT_EQ(found("debug: password=" + kRegistryPassword), "pass/raw@16");
  // Inside Basic credentials, whatever the user name's length (all three base64 alignments).
  for (const std::string user : {"a", "ab", "abc", "hyguser"}) {
    EXPECT_EQ(found("Authorization: Basic " + Base64Encode(user + ":" + kRegistryPassword)).substr(0, 11), "pass/base64") << user;
    EXPECT_EQ(found("jwt." + Base64UrlEncode("{\"p\":\"" + user + kRegistryPassword + "\"}")).substr(0, 11), "pass/base64") << user;
  }
  // A value whose base64 has '+' and '/': base64url (JWTs) differs and is searched for on its own.
  const std::string binary = "hyg\xfb\xff\xbf\xfb\xef\xff-value";
  scanner.Add("binary", binary);
  EXPECT_EQ(found("x." + Base64UrlEncode("ab" + binary)).substr(0, 16), "binary/base64url");
  EXPECT_EQ(found("x " + Base64Encode("a" + binary)).substr(0, 14), "binary/base64@");
  EXPECT_EQ(scanner.Mask("a " + kRegistryPassword + " b"), "a <secret pass> b");
  EXPECT_EQ(found("GET /x?password=" + http::UrlEncode("x" + kRegistryPassword + "?")).substr(0, 4), "pass");
  EXPECT_EQ(found("{\"key\": \"" + std::string("-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\\n")),
            "pem/line 2@38");
  EXPECT_EQ(found(R"(execve("/bin/x", ["x", "-----BEGIN PRIVATE KEY-----\nMIIEvQ...)" + std::string("MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu")),
            "pem/line 3@" + std::to_string(std::string(R"(execve("/bin/x", ["x", "-----BEGIN PRIVATE KEY-----\nMIIEvQ...)").size()));
  EXPECT_EQ(found("nothing to see: hyg-registry-pass-5c1f0e9a7d3 (one char short)"), "none");
  EXPECT_THROW(scanner.Add("short", "abc"), std::invalid_argument);

  // Files: a secret outside the allowed files, and an allowed file that is not 0600.
  TempDir dir("berth-scan-test");
  WriteFileAtomic(dir.path() / "config.json", R"({"auth": ")" + Base64Encode("u:" + kRegistryPassword) + "\"}", 0600);
  WriteFileAtomic(dir.path() / "cache" / "stray.tmp", "x" + kRegistryPassword, 0600);
  WriteFileAtomic(dir.path() / "loose.json", R"({"auth": ")" + Base64Encode("u:" + kRegistryPassword) + "\"}", 0644);
  std::map<fs::path, std::set<std::string>> seen;
  auto findings = scanner.ScanTree(dir.path(), {{dir.path() / "config.json", {"pass"}}, {dir.path() / "loose.json", {"pass"}}}, &seen);
  ASSERT_EQ(findings.size(), 2u);
  std::vector<std::string> described;
  for (const auto& finding : findings) described.push_back(Describe(finding));
  std::sort(described.begin(), described.end());
  EXPECT_EQ(described[0], "secret 'pass' (base64, file mode 0644 instead of 0600) in " + (dir.path() / "loose.json").string() + " at offset 14");
  EXPECT_EQ(described[1], "secret 'pass' (raw) in " + (dir.path() / "cache" / "stray.tmp").string() + " at offset 1");
  EXPECT_EQ(seen[dir.path() / "config.json"], std::set<std::string>{"pass"});
  for (const auto& text : described) EXPECT_EQ(text.find(kRegistryPassword), std::string::npos) << "a finding printed the secret";
}

// Whether strace can trace a child here (some sandboxes refuse ptrace).
bool StraceWorks() {
  static const bool works = [] {
    ProcessOptions options;
    options.timeout = std::chrono::seconds(30);
    ProcessResult probe = RunProcess({"/usr/bin/strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=execve", "-o", "/dev/null", "/bin/true"}, options);
    if (probe.exit_code != 0) {
      std::cerr << "warning: strace cannot trace here (" << probe.stderr_data
                << "); child argv are checked through the recording shims and the atlas log only\n";
    }
    return probe.exit_code == 0;
  }();
  return works;
}

class SecretHygieneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(Tmp());
    fs::create_directories(Bin());
    berth_.SetEnv("TMPDIR", Tmp().string());
    berth_.SetEnv("PATH", Bin().string() + ":/usr/local/bin:/usr/bin:/bin");
    berth_.SetEnv("DOCKER_AUTH_CONFIG", "");
    berth_.SetEnv("REGISTRY_AUTH_FILE", (berth_.home() / "containers-auth.json").string());
    for (const char* name : {"COSIGN_PASSWORD", "ASAP_PRIVATE_KEY", "ASAP_ISSUER", "ASAP_KEY_ID", "ASAP_AUDIENCE", "ATLAS_STANDIN_FAIL",
                             "ATLAS_STANDIN_LOG", "ATLAS_STANDIN_SLEEP", "BERTH_GHCR_API_URL", "BERTH_GHCR_TOKEN_FILE",
                             "GITHUB_API_URL", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"}) {
      berth_.SetEnv(name, "");
    }
    berth_.SetEnv("no_proxy", "127.0.0.1,localhost");
    berth_.SetEnv("NO_PROXY", "127.0.0.1,localhost");
#if BERTH_SANITIZE
    // LeakSanitizer cannot run under ptrace, and strace is ptrace.
    berth_.SetEnv("ASAN_OPTIONS", "detect_leaks=0");
#endif
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"registry-password", kRegistryPassword}, {"reader-password", kReaderPassword}, {"wrong-password", kWrongPassword},
             {"token-registry-password", kTokenRegistryPassword}, {"github-pat", kGithubPat},
             {"github-read-only-pat", kGithubReadOnlyPat}, {"github-bad-pat", kGithubBadPat}, {"actions-secret", kActionsValue},
             {"actions-env-secret", kActionsEnvValue}, {"secret-manager-value", kGsmValue}, {"cosign-password", kCosignPassword},
             {"cosign-wrong-password", kCosignWrongPassword}, {"env-db-password", kDbPassword}, {"k8s-secret", kK8sSecret}}) {
      scanner_.Add(name, value);
    }
  }

  void TearDown() override { ScanEverything(); }

  fs::path Tmp() const { return berth_.home() / "tmp"; }
  fs::path Bin() const { return berth_.home() / "bin"; }
  fs::path Work() const { return berth_.work_dir(); }

  // berth under strace: every execve of berth and its children, with full argv.
  ProcessResult Run(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    fs::path trace = traces_.path() / ("run-" + std::to_string(runs_.size()) + ".trace");
    std::vector<std::string> argv = {"/usr/bin/strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=execve,execveat", "-e", "signal=none",
                                     "-s", "65535", "-o", trace.string(), BERTH_BINARY};
    if (!StraceWorks()) argv.erase(argv.begin(), argv.end() - 1);
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env_set = berth_.env();
    options.cwd = Work();
    options.stdin_data = stdin_data;
    options.timeout = std::chrono::seconds(120);
    ProcessResult result = RunProcess(argv, options);
    runs_.push_back({"`berth " + Joined(args) + "`", result, trace});
    return result;
  }
  // Runs and expects `code`.
  ProcessResult Expect(int code, const std::vector<std::string>& args, const std::string& stdin_data = "") {
    ProcessResult result = Run(args, stdin_data);
    EXPECT_EQ(result.exit_code, code) << "berth " << Joined(args) << "\n" << Shown(result);
    return result;
  }

  // What a failure message may show of a run: secrets masked.
  std::string Shown(const ProcessResult& result) const { return scanner_.Mask(Describe(result)); }
  std::string Shown(const std::string& text) const { return scanner_.Mask(text); }

  // `path` is where the user keeps `secrets` (it must hold each of them, mode 0600).
  void Allow(const fs::path& path, const std::set<std::string>& secrets) { allowed_[path].insert(secrets.begin(), secrets.end()); }
  // Text of a peer (a request journal, a log) to scan too.
  void AlsoScan(const std::string& where, const std::string& text) { extra_.push_back({where, text}); }
  void AlsoScanFile(const std::string& where, const fs::path& path) {
    if (fs::exists(path)) AlsoScan(where, ReadFile(path));
  }
  // A script in Bin() that appends its argv to a log under HOME (scanned with
  // every other file), then runs `program`: argv are recorded even where
  // strace cannot run.
  fs::path RecordingShim(const std::string& name, const std::string& program) {
    fs::path shim = Bin() / name;
    WriteFileAtomic(shim, "#!/bin/sh\n# Records its argv for the secret scan, then runs the real program.\nprintf '%s\\n' \"$0 $*\" >> '" +
                              (berth_.home() / "argv.log").string() + "'\nexec '" + program + "' \"$@\"\n", 0755);
    return shim;
  }
  // A child berth must have run, seen in the traces (the trace is not empty by accident).
  void ExpectChildExec(const std::string& program) { expected_children_.push_back(program); }

  void ScanEverything() {
    std::vector<SecretFinding> findings;
    auto add = [&](std::vector<SecretFinding> found) { findings.insert(findings.end(), found.begin(), found.end()); };
    std::string all_traces;
    for (const auto& run : runs_) {
      add(scanner_.ScanText("stdout of " + run.label, run.result.stdout_data));
      add(scanner_.ScanText("stderr of " + run.label, run.result.stderr_data));
      if (!StraceWorks()) continue;
      ASSERT_TRUE(fs::exists(run.trace)) << "no strace output for " << run.label << ": " << Shown(run.result.stderr_data);
      std::string trace = ReadFile(run.trace);
      EXPECT_NE(trace.find("execve(\"" + std::string(BERTH_BINARY) + "\""), std::string::npos) << "strace saw no berth in " << run.label;
      add(scanner_.ScanText("argv of a process run by " + run.label + " (" + run.trace.filename().string() + ")", trace));
      all_traces += trace;
    }
    for (const auto& program : StraceWorks() ? expected_children_ : std::vector<std::string>{}) {
      EXPECT_NE(all_traces.find(program + "\", ["), std::string::npos) << "no traced execve of " << program;
    }
    for (const auto& [where, text] : extra_) add(scanner_.ScanText(where, text));
    std::map<fs::path, std::set<std::string>> seen;
    add(scanner_.ScanTree(berth_.home(), allowed_, &seen));
    for (const auto& [path, secrets] : allowed_) {
      for (const auto& secret : secrets) {
        EXPECT_TRUE(seen[path].count(secret)) << path << " was expected to hold secret '" << secret << "' (is the scan blind?)";
      }
    }
    std::vector<std::string> leftovers;
    for (const auto& entry : fs::recursive_directory_iterator(Tmp())) leftovers.push_back(entry.path().string());
    EXPECT_EQ(leftovers, std::vector<std::string>{}) << "berth left files in TMPDIR";
    for (const auto& finding : findings) ADD_FAILURE() << "leak: " << Describe(finding);
    EXPECT_FALSE(runs_.empty());
  }

  // A docker-registry peer with our users (the users file lives in the peer's own dir, outside HOME).
  std::unique_ptr<TestPeer> Registry(const std::string& mode, const nlohmann::json& users, std::vector<std::string> args = {}) {
    fs::path file = peer_files_.path() / ("users-" + std::to_string(++peers_) + ".json");
    WriteFileAtomic(file, users.dump(), 0600);
    args.insert(args.end(), {"--users", file.string()});
    auto peer = StartRegistry(mode, args);
    logs_.push_back(peer->ready()["log_file"].get<std::string>());
    return peer;
  }
  void ScanRegistryLogs() {
    for (const auto& log : logs_) AlsoScanFile("docker-registry log " + log, log);
  }
  void WriteRegistries(const std::string& body) {
    WriteFileAtomic(berth_.home() / "config" / "berth" / "registries.yaml", "registries:\n" + body);
  }
  // A one-image OCI layout in the work dir, tagged v1.
  void MakeImage(uint32_t seed = 3) {
    TestLayout layout(Work() / "img");
    layout.Tag(layout.AddImage("linux/amd64", {2000}, seed), "v1");
  }

  struct Recorded {
    std::string label;
    ProcessResult result;
    fs::path trace;
  };
  BerthRunner berth_;
  SecretScanner scanner_;
  TempDir traces_{"berth-hygiene-traces"};
  TempDir peer_files_{"berth-hygiene-peers"};
  std::vector<Recorded> runs_;
  std::map<fs::path, std::set<std::string>> allowed_;
  std::vector<std::pair<std::string, std::string>> extra_;
  std::vector<std::string> expected_children_;
  std::vector<std::string> logs_;
  int peers_ = 0;
};

// berth login (Basic over TLS; a token registry through a docker credential
// helper), push and pull at -vvv; a wrong password, a reader refused a push, a
// manifest tampered with in flight.
TEST_F(SecretHygieneTest, RegistryLoginPushPullAndErrors) {
  MakeImage();
  auto basic = Registry("tls-basic", {{"hyguser", kRegistryPassword}});
  auto token = Registry("token", {{"hygtoken", kTokenRegistryPassword}, {"reader", kReaderPassword}});
  auto tamper = std::make_unique<TestPeer>("tamper_proxy.py", std::vector<std::string>{
      "--upstream", basic->host(), "--upstream-tls", "--upstream-ca", basic->ready()["ca_file"].get<std::string>(), "--tamper", "manifest"});
  // A docker credential helper, by its protocol (secrets on stdin/stdout only), for the token registry.
  fs::path store = berth_.WriteCredentialHelper(Bin(), "hyg", berth_.home() / "argv.log");
  fs::path docker_config = berth_.home() / "docker" / "config.json";
  WriteFileAtomic(docker_config, R"({"credHelpers":{")" + token->host() + R"(":"hyg"}})", 0600);
  WriteRegistries("  \"" + basic->host() + "\":\n    ca-file: " + basic->ready()["ca_file"].get<std::string>() + "\n" +
                  "  \"" + token->host() + "\":\n    plain-http: true\n" +
                  "  \"" + tamper->host() + "\":\n    plain-http: true\n");

  auto wrong = Expect(7, {"login", basic->host(), "-u", "hyguser", "--password-stdin", "-vvv"}, kWrongPassword + "\n");
  EXPECT_NE(wrong.stderr_data.find("wrong username or password"), std::string::npos) << Shown(wrong.stderr_data);
  Expect(0, {"login", basic->host(), "-u", "hyguser", "--password-stdin", "-vvv"}, kRegistryPassword + "\n");
  Expect(0, {"push", "oci:img:v1", basic->host() + "/hyg/app:v1", "-vvv"});
  Expect(0, {"pull", basic->host() + "/hyg/app:v1", "oci:out:v1", "-vvv"});
  Expect(0, {"inspect", basic->host() + "/hyg/app:v1", "-vvv"});

  // What the helper keeps may be an identity token the token server issued: a secret too, kept only there.
  int logins = 0;
  auto login_through_helper = [&](const std::string& user, const std::string& password) {
    Expect(0, {"login", token->host(), "-u", user, "--password-stdin", "-vvv"}, password + "\n");
    std::string kept = nlohmann::json::parse(ReadFile(store))["Secret"];
    std::string name = kept == password ? "" : "registry-identity-token-" + std::to_string(++logins);
    if (!name.empty()) scanner_.Add(name, kept);
    return name;
  };
  ExpectChildExec("docker-credential-hyg");
  ExpectChildExec(Bin().string() + "/docker-credential-hyg");
  login_through_helper("hygtoken", kTokenRegistryPassword);
  Expect(0, {"push", "oci:img:v1", token->host() + "/hyg/app:v1", "-vvv"});
  Expect(0, {"copy", token->host() + "/hyg/app:v1", basic->host() + "/hyg/copied:v1", "-vvv"});
  // A reader's login, then a push it may not make.
  Expect(0, {"logout", token->host(), "-vvv"});
  login_through_helper("reader", kReaderPassword);
  Expect(7, {"push", "oci:img:v1", token->host() + "/hyg/app:v2", "-vvv"});
  Expect(0, {"logout", token->host(), "-vvv"});
  std::string kept = login_through_helper("hygtoken", kTokenRegistryPassword);
  Allow(store, {kept.empty() ? "token-registry-password" : kept});
  Expect(0, {"pull", token->host() + "/hyg/app:v1", "oci:out2:v1", "-vvv"});

  // A manifest changed in flight, fetched by digest through the tampering proxy with credentials.
  Expect(0, {"login", tamper->host(), "-u", "hyguser", "--password-stdin", "-vvv"}, kRegistryPassword + "\n");
  std::string digest = nlohmann::json::parse(Expect(0, {"digest", basic->host() + "/hyg/app:v1", "-o", "json"}).stdout_data)["digest"];
  auto tampered = Expect(5, {"pull", tamper->host() + "/hyg/app@" + digest, "oci:bad:v1", "-vvv"});

  // The docker config keeps the Basic logins (auth = base64(user:password)).
  Allow(docker_config, {"registry-password"});
  ScanRegistryLogs();
}


// ghcr with a PAT from GITHUB_TOKEN and on stdin, `berth ghcr versions`, the
// github-actions secret store (set, sync from a .env file); a bad PAT (401), a
// PAT without the repo scope (403).
TEST_F(SecretHygieneTest, GhcrAndGithubActionsSecrets) {
  MakeImage();
  auto registry = Registry("token", {{"alice", kGithubPat}}, {"--challenge-style", "ghcr"});
  ghcr::testing::GitHubStandin github;
  const nlohmann::json all = {"repo", "read:packages", "write:packages", "delete:packages"};
  github.Control("POST", "/_standin/tokens", {{kGithubPat, {{"login", "alice"}, {"scopes", all}}},
                                              {kGithubReadOnlyPat, {{"login", "alice"}, {"scopes", {"read:packages"}}}}});
  const std::string host = registry->host();
  WriteRegistries("  \"" + host + "\":\n    plain-http: true\n    plugin: ghcr\n    settings:\n      api-url: " + github.url() + "\n");
  for (const char* name : {"GH_TOKEN", "GITHUB_TOKEN"}) berth_.SetEnv(name, "");
  berth_.SetEnv("GITHUB_ACTOR", "alice");

  berth_.SetEnv("GITHUB_TOKEN", kGithubBadPat);
  Expect(7, {"push", "oci:img:v1", host + "/acme/web:v1", "-vvv"});
  berth_.SetEnv("GITHUB_TOKEN", kGithubPat);
  Expect(0, {"push", "oci:img:v1", host + "/acme/web:v1", "-vvv"});
  Expect(0, {"pull", host + "/acme/web:v1", "oci:out:v1", "-vvv"});
  github.Control("POST", "/_standin/packages",
                 {{"orgs", {{"acme", {{"web", {{{"id", 1}, {"name", "sha256:" + std::string(64, 'a')}, {"tags", {"v1"}}}}}}}}}});
  berth_.SetEnv("GITHUB_TOKEN", "");
  Expect(0, {"ghcr", "versions", host + "/acme/web", "--token-stdin", "-vvv"}, kGithubPat + "\n");
  berth_.SetEnv("GH_TOKEN", kGithubBadPat);
  Expect(7, {"ghcr", "versions", host + "/acme/web", "-vvv"});
  berth_.SetEnv("GH_TOKEN", "");

  const std::vector<std::string> store = {"--store", "github-actions", "--setting", "repository=acme/shop", "--setting", "api-url=" + github.url()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), store.begin(), store.end());
    return args;
  };
  berth_.SetEnv("GITHUB_TOKEN", kGithubPat);
  Expect(0, with({"secrets", "set", "prod", "DB_PASSWORD", "-vvv"}), kActionsValue + "\n");
  WriteFileAtomic(Work() / "prod.env", "API_KEY=\"" + kActionsEnvValue + "\"\nDB_PASSWORD=" + kActionsValue + "\n", 0600);
  Allow(Work() / "prod.env", {"actions-secret", "actions-env-secret"});
  Expect(0, with({"secrets", "diff", "prod", "--from", "prod.env", "-vvv"}));
  Expect(0, with({"secrets", "sync", "prod", "--from", "prod.env", "-vvv"}));
  berth_.SetEnv("GITHUB_TOKEN", kGithubReadOnlyPat);
  auto forbidden = Run(with({"secrets", "set", "prod", "OTHER", "-vvv"}), kActionsEnvValue + "\n");
  EXPECT_EQ(forbidden.exit_code, 7) << Shown(forbidden);
  EXPECT_NE(forbidden.stderr_data.find("403 Forbidden"), std::string::npos) << Shown(forbidden);
  berth_.SetEnv("GITHUB_TOKEN", kGithubBadPat);
  Expect(7, with({"secrets", "list", "prod", "-vvv"}));

  AlsoScan("the GitHub stand-in's request journal", github.Journal().dump());
  ScanRegistryLogs();
}

// gcp-artifact with a service-account key file, `berth gcp images` and
// `whoami`, the gcp-secret-manager store; a forged key refused.
TEST_F(SecretHygieneTest, GcpArtifactAndSecretManager) {
  MakeImage();
  TestPeer google("tests/standins/google/google_apis.py", {"--strict-aud"});
  const std::string google_url = google.ready()["url"];
  const std::string project = google.ready()["project_id"];
  auto registry = Registry("token", {{"hyguser", kRegistryPassword}},
                           {"--challenge-style", "gcp", "--google-tokeninfo", google_url + "/tokeninfo"});
  // The key where a user keeps it, and the access tokens it mints (never printed, never stored).
  nlohmann::json key = nlohmann::json::parse(ReadFile(google.ready()["key_file"].get<std::string>()));
  scanner_.Add("google-sa-private-key", key["private_key"]);
  scanner_.Add("google-access-token", "ya29.standin-");
  fs::path key_file = berth_.home() / "gcp" / "key.json";
  WriteFileAtomic(key_file, key.dump(2), 0600);
  Allow(key_file, {"google-sa-private-key"});
  for (const char* name : {"GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_HOST", "CLOUDSDK_CONFIG"}) berth_.SetEnv(name, "");
  WriteRegistries("  \"" + registry->host() + "\":\n    plain-http: true\n    plugin: gcp-artifact\n"
                  "    settings: {location: us, key-file: \"" + key_file.string() + "\"}\n"
                  "  \"*-docker.pkg.dev\":\n    settings: {artifactregistry-url: \"" + google_url + "\", key-file: \"" + key_file.string() + "\"}\n");

  const std::string target = registry->host() + "/" + project + "/apps/web:v1";
  Expect(0, {"push", "oci:img:v1", target, "-vvv"});
  Expect(0, {"pull", target, "oci:out:v1", "-vvv"});
  http::Client client;
  http::Request seed;
  seed.method = "POST";
  seed.url = google_url + "/_standin/images";
  seed.headers = {{"Content-Type", "application/json"}};
  seed.body = nlohmann::json({{"images", {{{"project", project}, {"location", "us-west1"}, {"repository", "apps"}, {"image", "api"},
                                           {"digest", "sha256:" + std::string(64, 'a')}, {"tags", {"v1"}}, {"imageSizeBytes", 1000},
                                           {"uploadTime", "2024-05-01T10:00:00Z"}}}}}).dump();
  ASSERT_EQ(client.Send(seed).status, 200);
  Expect(0, {"gcp", "images", "us-west1-docker.pkg.dev/" + project + "/apps", "--include-tags", "-vvv"});
  Expect(6, {"gcp", "images", "us-west1-docker.pkg.dev/" + project + "/missing", "-vvv"});
  Expect(0, {"gcp", "whoami", "--registry", registry->host(), "-vvv"});
  const std::vector<std::string> store = {"--store", "gcp-secret-manager", "--setting", "project=" + project, "--setting",
                                          "secretmanager-url=" + google_url, "--setting", "key-file=" + key_file.string()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), store.begin(), store.end());
    return args;
  };
  Expect(0, with({"secrets", "set", "hyg", "API_TOKEN", "-vvv"}), kGsmValue + "\n");
  Expect(0, with({"secrets", "list", "hyg", "-vvv"}));

  // A key the token endpoint refuses (its id changed): the error names the account, not the key.
  key["private_key_id"] = "not-the-key-id";
  fs::path forged = berth_.home() / "gcp" / "forged.json";
  WriteFileAtomic(forged, key.dump(2), 0600);
  Allow(forged, {"google-sa-private-key"});
  berth_.SetEnv("GOOGLE_APPLICATION_CREDENTIALS", forged.string());
  WriteRegistries("  \"" + registry->host() + "\":\n    plain-http: true\n    plugin: gcp-artifact\n    settings: {location: us}\n");
  auto refused = Expect(7, {"push", "oci:img:v1", registry->host() + "/" + project + "/apps/forged:v1", "-vvv"});
  EXPECT_NE(refused.stderr_data.find("invalid_grant"), std::string::npos) << Shown(refused.stderr_data);

  http::Request request;
  request.url = google_url + "/_standin/requests";
  AlsoScan("the Google stand-in's request journal", client.Send(request).body);
  request.url = google_url + "/_standin/secrets";
  std::string secrets = client.Send(request).body;
  EXPECT_NE(secrets.find(kGsmValue), std::string::npos) << "the value did not reach Secret Manager";
  ScanRegistryLogs();
}

// cosign keygen/sign/verify with COSIGN_PASSWORD (and a wrong one), images
// signed in a registry; asap keygen/token/curl/publish.
TEST_F(SecretHygieneTest, CosignAndAsap) {
  MakeImage();
  auto registry = Registry("tls-basic", {{"hyguser", kRegistryPassword}});
  const std::string host = registry->host();
  WriteRegistries("  \"" + host + "\":\n    ca-file: " + registry->ready()["ca_file"].get<std::string>() + "\n");
  Expect(0, {"login", host, "-u", "hyguser", "--password-stdin"}, kRegistryPassword + "\n");
  Allow(berth_.home() / "docker" / "config.json", {"registry-password"});

  berth_.SetEnv("COSIGN_PASSWORD", kCosignPassword);
  Expect(0, {"keygen", "-vvv"});
  WriteFileAtomic(Work() / "blob.txt", "payload");
  Expect(0, {"cosign", "sign-blob", "--key", "cosign.key", "blob.txt", "--output-signature", "blob.sig", "-vvv"});
  Expect(0, {"cosign", "verify-blob", "--key", "cosign.pub", "--signature", "blob.sig", "blob.txt", "-vvv"});
  Expect(0, {"push", "oci:img:v1", host + "/hyg/signed:v1", "-vvv"});
  Expect(0, {"sign", host + "/hyg/signed:v1", "--key", "cosign.key", "-vvv"});
  Expect(0, {"verify", host + "/hyg/signed:v1", "--key", "cosign.pub", "-vvv"});
  berth_.SetEnv("COSIGN_PASSWORD", kCosignWrongPassword);
  Expect(7, {"cosign", "sign-blob", "--key", "cosign.key", "blob.txt", "-vvv"});
  Expect(7, {"sign", host + "/hyg/signed:v1", "--key", "cosign.key", "-vvv"});
  berth_.SetEnv("COSIGN_PASSWORD", "");

  Expect(0, {"asap", "keygen", "--issuer", "micros/hyg", "--key-id", "micros/hyg/key1", "-a", "gateway", "--public-key-out", "asap.pub", "-vvv"});
  scanner_.Add("asap-private-key", nlohmann::json::parse(ReadFile(Work() / ".asap-config"))["privateKey"].get<std::string>());
  Allow(Work() / ".asap-config", {"asap-private-key"});
  Expect(0, {"asap", "token", "-a", "gateway", "-vvv"});
  BackgroundServer gateway({"/usr/bin/python3", kAsapServer, "--exit-on-stdin-eof"});
  Expect(0, {"asap", "curl", gateway.url() + "/echo", "-a", "gateway", "-vvv"});
  Expect(7, {"asap", "curl", gateway.url() + "/status/401", "-a", "gateway", "-vvv"});
  // publish's upload token: a wrong one is refused, the right one stores the key; neither is shown.
  const std::string upload_token = "hyg-upload-token-5d1c";
  scanner_.Add("asap-upload-token", upload_token);
  setenv("HYG_UPLOAD_TOKEN", upload_token.c_str(), 1);
  TempDir key_store("berth-hygiene-keys");
  BackgroundServer keys({"/usr/bin/python3", kAsapServer, "--keys", key_store.path().string(), "--writable", "--upload-token-env",
                         "HYG_UPLOAD_TOKEN", "--exit-on-stdin-eof"});
  berth_.SetEnv("ASAP_KEY_REPOSITORY_TOKEN", upload_token + "-wrong");
  Expect(7, {"asap", "publish", "--key-repo", keys.ready()["keys_url"], "-vvv"});
  berth_.SetEnv("ASAP_KEY_REPOSITORY_TOKEN", upload_token);
  Expect(0, {"asap", "publish", "--key-repo", keys.ready()["keys_url"], "-vvv"});
  berth_.SetEnv("ASAP_KEY_REPOSITORY_TOKEN", "");
  // The key from the environment, as a .env file would carry it.
  std::string pem = nlohmann::json::parse(ReadFile(Work() / ".asap-config"))["privateKey"];
  fs::rename(Work() / ".asap-config", berth_.home() / "asap-config.json");
  allowed_.erase(Work() / ".asap-config");
  Allow(berth_.home() / "asap-config.json", {"asap-private-key"});
  berth_.SetEnv("ASAP_ISSUER", "micros/hyg");
  berth_.SetEnv("ASAP_KEY_ID", "micros/hyg/key1");
  berth_.SetEnv("ASAP_PRIVATE_KEY", pem);
  Expect(0, {"asap", "token", "-a", "gateway", "-vvv"});
  berth_.SetEnv("ASAP_KEY_ID", "micros/other/key1");
  Expect(3, {"asap", "token", "-a", "gateway", "-vvv"});
  ScanRegistryLogs();
}

// micros-stash `secrets sync` (values through 0600 temp files, never argv)
// from an env file and an .asap-config (its key mapped to ASAP_PRIVATE_KEY),
// the rendered descriptor and plan, deploy, and a failing atlas.
TEST_F(SecretHygieneTest, MicrosStashWithAtlas) {
  const std::string pem = OpensslKey();
  scanner_.Add("env-tls-key", pem);
  TempDir atlas_state("berth-hygiene-atlas");  // The stand-in's own state (it keeps what the stash "service" keeps).
  berth_.SetEnv("ATLAS_STANDIN_STATE", atlas_state.path().string());
  BackgroundServer health({"/usr/bin/python3", kHealthServer, "--exit-on-stdin-eof"});
  berth_.SetEnv("ATLAS_STANDIN_SERVICE_URL", health.url());
  WriteFileAtomic(Work() / ".env.local", "DB_PASSWORD=" + kDbPassword + "\nTLS_KEY=\"" + pem + "\"\n", 0600);
  Allow(Work() / ".env.local", {"env-db-password", "env-tls-key"});
  // The images Micros would pull by tag (app-<version>), in a registry here:
  // berth checks that each tag names the digest it deploys.
  auto registry = StartRegistry("plain");
  const std::string repository = registry->host() + "/team/shop-api";
  WriteRegistries("  \"" + registry->host() + "\":\n    plain-http: true\n");
  std::map<std::string, std::string> images;  // version -> repository@digest
  for (auto [seed, version] : {std::pair{1u, "1.0.0"}, std::pair{2u, "1.0.1"}}) {
    TestLayout layout(Work().parent_path() / ("micros-image-" + std::to_string(seed)));
    oci::Descriptor manifest = layout.AddImage("linux/amd64", {1000}, seed);
    layout.Tag(manifest, "v1");
    ASSERT_EQ(berth_.Run({"copy", "oci:" + layout.root().string() + ":v1", repository + ":app-" + version}).exit_code, 0);
    images[version] = repository + "@" + manifest.digest.str();
  }
  const std::string asap_keys = "ASAP_PRIVATE_KEY, ASAP_KEY_ID, ASAP_ISSUER, ASAP_AUDIENCE";
  WriteFileAtomic(Work() / "berth.yaml",
                  "service: shop-api\nimage: " + repository + "\nenvironments:\n  staging:\n    target:\n"
                  "      plugin: micros\n      atlas: " + kAtlas + "\n      env: stg-west\n      secrets: [DB_PASSWORD, TLS_KEY, " + asap_keys +
                  "]\n      scaling: {min: 1, max: 2}\n    secrets:\n      store: micros-stash\n      from: [.env.local, .asap-config]\n"
                  "      keys: [DB_PASSWORD, TLS_KEY, " + asap_keys + "]\n      settings: {service: shop-api, env: stg-west, atlas: " + kAtlas + "}\n");
  Expect(0, {"asap", "keygen", "--issuer", "micros/shop-api", "--key-id", "micros/shop-api/key1", "-a", "ai-gateway", "-vvv"});
  const std::string asap_pem = nlohmann::json::parse(ReadFile(Work() / ".asap-config"))["privateKey"];
  scanner_.Add("asap-private-key", asap_pem);
  scanner_.Add("asap-private-key-uri", jwt::MakePkcs8DataUri(jwt::PrivateKey::FromPem(asap_pem, "test"), {{"kid", "micros/shop-api/key1"}}).Reveal());
  Allow(Work() / ".asap-config", {"asap-private-key"});
  Expect(0, {"trust", "-vvv"});  // berth.yaml names atlas, a program.
  ExpectChildExec(kAtlas);
  Expect(0, {"secrets", "diff", "staging", "-vvv"});
  Expect(0, {"secrets", "sync", "staging", "--dry-run", "-vvv"});
  Expect(0, {"secrets", "sync", "staging", "-vvv"});
  Expect(0, {"secrets", "set", "staging", "DB_PASSWORD", "-vvv"}, kDbPassword + "\n");
  Expect(0, {"micros", "descriptor", "render", "--env", "staging", "--image", images["1.0.0"], "--version", "1.0.0", "-vvv"});
  Expect(0, {"deploy", "staging", "--image", images["1.0.0"], "--version", "1.0.0", "--dry-run", "-o", "json", "-vvv"});
  Expect(0, {"deploy", "staging", "--image", images["1.0.0"], "--version", "1.0.0", "-vvv"});
  berth_.SetEnv("ATLAS_STANDIN_FAIL", "stash-set");
  auto failed = Expect(1, {"secrets", "set", "staging", "DB_PASSWORD", "-vvv"}, kDbPassword + "\n");
  Expect(1, {"secrets", "sync", "staging", "-vvv"});
  berth_.SetEnv("ATLAS_STANDIN_FAIL", "deploy");
  Expect(8, {"deploy", "staging", "--image", images["1.0.1"], "--version", "1.0.1", "-vvv"});

  // The atlas log: every argv; and every file passed with -f that held a secret (the stand-in kept a copy) was 0600.
  std::ifstream log(atlas_state.path() / "log.jsonl");
  int files = 0;
  for (std::string line; std::getline(log, line);) {
    AlsoScan("the atlas stand-in's log", line);
    for (const auto& file : nlohmann::json::parse(line).value("files", nlohmann::json::array())) {
      if (scanner_.ScanText("copy", ReadFile(file["copy"].get<std::string>())).empty()) continue;
      ++files;
      EXPECT_EQ(file.value("mode", "?"), "0600") << "a file with secrets given to atlas: " << file.dump();
    }
  }
  EXPECT_GT(files, 0) << "no secret file reached atlas";
  const auto stash = nlohmann::json::parse(ReadFile(atlas_state.path() / "state.json"))["services"]["shop-api"]["envs"]["stg-west"]["stash"];
  EXPECT_TRUE(stash.contains("ASAP_PRIVATE_KEY")) << "the ASAP key did not reach the stash";
}

// k8s secrets set/diff/sync and deploy with a bearer-token kubeconfig and an
// exec credential plugin; the viewer's token refused (403).
TEST_F(SecretHygieneTest, KubernetesSecretsAndDeploy) {
  KubeStandin kube;
  scanner_.Add("k8s-bearer-token", kube.token());
  scanner_.Add("k8s-viewer-token", kube.viewer_token());
  fs::path kubeconfig = berth_.home() / ".kube" / "config";
  WriteFileAtomic(kubeconfig, ReadFile(kube.kubeconfig()), 0600);
  Allow(kubeconfig, {"k8s-bearer-token", "k8s-viewer-token"});
  WriteFileAtomic(Work() / ".env.dev", "API_KEY=" + kK8sSecret + "\nDB_PASSWORD=" + kDbPassword + "\n", 0600);
  Allow(Work() / ".env.dev", {"k8s-secret", "env-db-password"});
  auto project = [&](const std::string& kubeconfig_path, const std::string& context) {
    WriteFileAtomic(Work() / "berth.yaml",
                    "service: vault\nimage: registry.example/vault\nenvironments:\n  dev:\n    target:\n      plugin: k8s\n"
                    "      kubeconfig: " + kubeconfig_path + "\n      replicas: 1\n" + context +
                    "    secrets:\n      store: k8s\n      from: .env.dev\n      settings:\n        kubeconfig: " + kubeconfig_path +
                    "\n" + (context.empty() ? "" : "  " + context) + "        secret: vault-{environment}\n");
    Expect(0, {"trust", "-vvv"});  // berth.yaml names a kubeconfig.
  };
  project(kubeconfig.string(), "");
  Expect(0, {"secrets", "set", "dev", "API_KEY", "-vvv"}, kK8sSecret + "\n");
  Expect(0, {"secrets", "diff", "dev", "-vvv"});
  Expect(0, {"secrets", "sync", "dev", "-vvv"});
  Expect(0, {"deploy", "dev", "--image", "registry.example/vault@sha256:" + std::string(64, 'a'), "-vvv"});
  Expect(0, {"status", "dev", "-vvv"});
  auto secret = kube.Call("GET", "/api/v1/namespaces/default/secrets/vault-dev");
  EXPECT_NE(secret.body.find(Base64Encode(kK8sSecret)), std::string::npos) << "the value did not reach the cluster";

  project(kubeconfig.string(), "      context: standin-viewer\n");
  auto forbidden = Run({"secrets", "set", "dev", "API_KEY", "-vvv"}, kK8sSecret + "\n");
  EXPECT_EQ(forbidden.exit_code, 7) << Shown(forbidden);

  // An exec credential plugin prints the token (by its protocol, on stdout).
  fs::path dir = berth_.home() / "kube-exec";
  WriteFileAtomic(dir / "token", kube.token(), 0600);
  Allow(dir / "token", {"k8s-bearer-token"});
  WriteFileAtomic(dir / "config",
                  "clusters:\n- name: c\n  cluster:\n    server: " + kube.url() + "\n    certificate-authority: " + kube.ca_file() +
                      "\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                      "      command: " + RecordingShim("kube-exec-plugin", kExecPlugin).string() + "\n      interactiveMode: Never\n      env:\n"
                      "      - {name: EXEC_API_VERSION, value: client.authentication.k8s.io/v1beta1}\n"
                      "      - {name: EXEC_COUNT_FILE, value: " + (dir / "count").string() + "}\n"
                      "      - {name: EXEC_TOKEN_FILE, value: " + (dir / "token").string() + "}\n"
                      "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n",
                  0600);
  project((dir / "config").string(), "");
  Expect(0, {"deploy", "dev", "--image", "registry.example/vault@sha256:" + std::string(64, 'b'), "-vvv"});
  Expect(0, {"secrets", "list", "dev", "-vvv"});
  ExpectChildExec(kExecPlugin);
  EXPECT_NE(ReadFile(berth_.home() / "argv.log").find("kube-exec-plugin"), std::string::npos);

  AlsoScan("the kube stand-in's request log", kube.Requests().dump());
  AlsoScanFile("the kube stand-in's log", kube.log_file());
}

// The bundled file store and .env parsing: a multi-line PEM value, and a
// malformed .env whose error must name the line, not the value.
TEST_F(SecretHygieneTest, FileStoreAndEnvFiles) {
  const std::string pem = OpensslKey();
  scanner_.Add("env-tls-key", pem);
  scanner_.Add("env-broken-value", "hyg-unterminated-value-6c2e0a8f4d");
  WriteFileAtomic(Work() / ".env.local", "DB_PASSWORD=" + kDbPassword + "\nTLS_KEY=\"" + pem + "\"\n", 0600);
  Allow(Work() / ".env.local", {"env-db-password", "env-tls-key"});
  Expect(0, {"secrets", "set", "dev", "API_KEY", "-vvv"}, kK8sSecret + "\n");
  Expect(0, {"secrets", "diff", "dev", "--from", ".env.local", "-vvv"});
  Expect(0, {"secrets", "sync", "dev", "--from", ".env.local", "-vvv"});
  Expect(0, {"secrets", "list", "dev", "-vvv"});
  Allow(berth_.home() / "data" / "berth" / "secrets" / "dev.json", {"k8s-secret", "env-db-password", "env-tls-key"});
  WriteFileAtomic(Work() / "bad.env", "GOOD=1\nBROKEN=\"hyg-unterminated-value-6c2e0a8f4d\n", 0600);
  Allow(Work() / "bad.env", {"env-broken-value"});
  auto bad = Expect(3, {"secrets", "sync", "dev", "--from", "bad.env", "-vvv"});
  EXPECT_NE(bad.stderr_data.find("bad.env:2: unterminated quoted value for BROKEN"), std::string::npos) << Shown(bad);
  Expect(6, {"secrets", "delete", "dev", "NOPE", "-vvv"});
}

}  // namespace
}  // namespace berth::testing
