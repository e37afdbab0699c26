// berth deploy|status|history|rollback|url and berth secrets with the k8s
// plugin, run as a user would, against the Kubernetes API server stand-in;
// the real kubectl reads back what berth did.
#include <gtest/gtest.h>

#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"
#include "health_endpoint.h"
#include "kube_standin.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

std::string Image(char digit, const std::string& repository = "registry.example/web") {
  return repository + "@sha256:" + std::string(64, digit);
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class K8sE2eTest : public ::testing::Test {
 protected:
  // berth.yaml names the stand-in's kubeconfig, which needs a trusted
  // project (as CI would trust its checkout); trust itself is tested in
  // hostile_project_e2e_test.cc.
  K8sE2eTest() { berth_.TrustProjects(); }

  static void SetUpTestSuite() { standin_ = new KubeStandin(); }
  static void TearDownTestSuite() {
    delete standin_;
    standin_ = nullptr;
  }

  // berth.yaml for `service`, environment dev on the stand-in; `target` and
  // `environment` are extra YAML lines for the target and the environment.
  void WriteProject(const std::string& service, const std::string& target, const std::string& environment = "") {
    WriteFileAtomic(berth_.work_dir() / "berth.yaml",
                    "service: " + service + "\nimage: registry.example/" + service +
                        "\nenvironments:\n  dev:\n    target:\n      plugin: k8s\n" + target + environment);
  }
  std::string KubeconfigLine() { return "      kubeconfig: " + standin_->kubeconfig() + "\n"; }

  // releases.json with `versions` of registry.example/SERVICE, the digest of
  // each made of the digit given (as Image()).
  void WriteLedger(const std::string& service, const std::vector<std::pair<std::string, char>>& versions) {
    nlohmann::json ledger = {{"schema", 1}, {"service", service}, {"releases", nlohmann::json::array()}};
    for (const auto& [version, digit] : versions) {
      ledger["releases"].push_back({{"version", version},
                                    {"digest", "sha256:" + std::string(64, digit)},
                                    {"images", {"registry.example/" + service + ":" + version}},
                                    {"created_at", "2026-11-01T00:00:00Z"}});
    }
    WriteFileAtomic(berth_.work_dir() / "releases.json", ledger.dump());
  }
  nlohmann::json LedgerJson() { return nlohmann::json::parse(ReadFile(berth_.work_dir() / "releases.json")); }

  ProcessResult Kubectl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"kubectl", "--kubeconfig", standin_->kubeconfig()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.timeout = std::chrono::seconds(30);
    return RunProcess(argv, options);
  }
  std::string LiveImage(const std::string& name) {
    return Kubectl({"get", "deployment", name, "-o", "jsonpath={.spec.template.spec.containers[0].image}"}).stdout_data;
  }

  static KubeStandin* standin_;
  BerthRunner berth_;
};
KubeStandin* K8sE2eTest::standin_ = nullptr;

// As with kubectl: --kubeconfig and --context on the command line, over
// berth.yaml and KUBECONFIG.
TEST_F(K8sE2eTest, KubeconfigAndContextFromTheCommandLine) {
  WriteProject("flags", "      replicas: 1\n");
  auto missing = berth_.Run({"status", "dev"});
  EXPECT_NE(missing.exit_code, 0);
  auto deployed = berth_.Run({"deploy", "dev", "--image", Image('f'), "--kubeconfig", standin_->kubeconfig(), "-o", "json"});
  ASSERT_EQ(deployed.exit_code, 0) << Describe(deployed);
  auto status = berth_.Json({"status", "dev", "--kubeconfig", standin_->kubeconfig()});
  EXPECT_EQ(status["image"], Image('f'));
  auto wrong = berth_.Run({"status", "dev", "--kubeconfig", standin_->kubeconfig(), "--context", "no-such-context"});
  EXPECT_EQ(wrong.exit_code, 3) << Describe(wrong);
  EXPECT_TRUE(Contains(wrong.stderr_data, "no-such-context")) << wrong.stderr_data;
  auto bad = berth_.Run({"status", "dev", "--set", "replicas"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.stderr_data, "error: --set expects KEY=VALUE, got 'replicas'\n");
}

TEST_F(K8sE2eTest, DeployStatusHistoryRollbackAndUrl) {
  HealthEndpoint health(200);
  // A kubeconfig path relative to the project folder.
  fs::create_directories(berth_.work_dir() / "kube");
  fs::copy_file(standin_->kubeconfig(), berth_.work_dir() / "kube" / "config");
  WriteProject("web", "      kubeconfig: kube/config\n      replicas: 2\n      port: 8080\n",
               "    health:\n      url: " + health.url("/healthz") + "\n      timeout: 10s\n      interval: 1s\n");

  auto result = berth_.Run({"deploy", "dev", "--image", Image('a'), "--version", "1.0.0", "-o", "json", "-vvv"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  auto outcome = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(outcome["revision"], "1");
  EXPECT_EQ(outcome["healthy"], true);
  EXPECT_EQ(outcome["url"], "http://web.default.svc.cluster.local");
  EXPECT_EQ(outcome["details"]["version"], "1.0.0");
  EXPECT_TRUE(Contains(result.stderr_data, "applied Deployment default/web"));
  EXPECT_TRUE(Contains(result.stderr_data, "deployment \"web\" successfully rolled out\n")) << result.stderr_data;
  EXPECT_TRUE(Contains(result.stderr_data, health.url("/healthz") + " is healthy (HTTP 200)"));
  EXPECT_FALSE(Contains(result.stderr_data, standin_->token()));  // not even at -vvv
  EXPECT_GE(health.requests(), 1);

  // The real kubectl sees what berth applied, and agrees the rollout is done.
  EXPECT_EQ(LiveImage("web"), Image('a'));
  auto status = Kubectl({"rollout", "status", "deployment/web", "--timeout=10s"});
  EXPECT_EQ(status.exit_code, 0) << Describe(status);
  EXPECT_EQ(status.stdout_data, "deployment \"web\" successfully rolled out\n");

  result = berth_.Run({"deploy", "dev", "--image", Image('b'), "--version", "2.0.0", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["revision"], "2");

  auto history = berth_.Json({"history", "dev"});
  ASSERT_EQ(history.size(), 2u) << history.dump();
  EXPECT_EQ(history[0]["revision"], "1");
  EXPECT_EQ(history[0]["version"], "1.0.0");
  EXPECT_EQ(history[0]["image"], Image('a'));
  EXPECT_EQ(history[0]["current"], false);
  EXPECT_EQ(history[1]["revision"], "2");
  EXPECT_EQ(history[1]["version"], "2.0.0");
  EXPECT_EQ(history[1]["current"], true);

  auto current = berth_.Json({"status", "dev"});
  EXPECT_EQ(current["ready"], true);
  EXPECT_EQ(current["image"], Image('b'));
  EXPECT_EQ(current["revision"], "2");
  EXPECT_EQ(current["message"], "2/2 replicas available");

  result = berth_.Run({"rollback", "dev", "--revision", "1", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["revision"], "3");
  EXPECT_TRUE(Contains(result.stderr_data, "rolling deployment \"web\" back from revision 2 to revision 1 (version 1.0.0)"));
  EXPECT_EQ(LiveImage("web"), Image('a'));
  auto history_text = Kubectl({"rollout", "history", "deployment/web"});
  EXPECT_TRUE(Contains(history_text.stdout_data, "berth rollback to revision 1 (1.0.0)")) << history_text.stdout_data;

  result = berth_.Run({"url", "dev"});
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(result.stdout_data, "http://web.default.svc.cluster.local\n");
}

// A second machine (a CI runner, a teammate: another HOME and state
// directory, the repository as committed) sees the same status and history:
// both come from the cluster, reconciled with the committed releases.json,
// not from anything the first machine kept for itself.
TEST_F(K8sE2eTest, ASecondMachineSeesTheSameStatusAndHistory) {
  WriteProject("shared", KubeconfigLine() + "      replicas: 1\n");
  WriteLedger("shared", {{"1.0.0", '1'}, {"1.0.1", '2'}});
  for (const char* version : {"1.0.0", "1.0.1"}) {
    ProcessResult deployed = berth_.Run({"deploy", "dev", "--version", version});
    ASSERT_EQ(deployed.exit_code, 0) << Describe(deployed);
  }
  ProcessResult rolled_back = berth_.Run({"rollback", "dev", "--revision", "1"});
  ASSERT_EQ(rolled_back.exit_code, 0) << Describe(rolled_back);
  const nlohmann::json status = berth_.Json({"status", "dev"});
  const nlohmann::json history = berth_.Json({"history", "dev"});
  EXPECT_EQ(status["version"], "1.0.0");
  // Kubernetes keeps one ReplicaSet per template: the rollback made revision 1's the current revision 3.
  ASSERT_EQ(history.size(), 2u) << history.dump();
  EXPECT_EQ(history[1]["version"], "1.0.0");
  EXPECT_EQ(history[1]["current"], true);

  BerthRunner other;
  other.TrustProjects();
  ASSERT_NE(other.home(), berth_.home());
  for (const char* file : {"berth.yaml", "releases.json"}) fs::copy_file(berth_.work_dir() / file, other.work_dir() / file);
  EXPECT_EQ(other.Json({"status", "dev"}), status);
  EXPECT_EQ(other.Json({"history", "dev"}), history);
  // Without the committed ledger the versions still come from the cluster's annotations.
  fs::remove(other.work_dir() / "releases.json");
  EXPECT_EQ(other.Json({"status", "dev"})["version"], "1.0.0");
  nlohmann::json bare = other.Json({"history", "dev"});
  ASSERT_EQ(bare.size(), history.size());
  for (size_t i = 0; i < bare.size(); ++i) {
    EXPECT_EQ(bare[i]["image"], history[i]["image"]) << i;
    EXPECT_EQ(bare[i]["version"], history[i]["version"]) << i;
  }
}

// A deploy whose configuration, not its image, breaks it: berth rollback
// re-applies the documents that ran before (as `kubectl rollout undo`
// restores the whole pod template), not today's berth.yaml with the old image.
TEST_F(K8sE2eTest, RollbackReappliesTheRecordedSpecification) {
  const std::string settings = KubeconfigLine() + "      replicas: 1\n      progress_deadline_seconds: 1\n      env:\n        MODE: calm\n";
  WriteProject("recspec", settings);
  WriteLedger("recspec", {{"1.0.0", '1'}, {"1.0.1", '2'}});
  auto result = berth_.Run({"deploy", "dev", "--version", "1.0.0"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  auto recorded = LedgerJson()["releases"][0]["deployments"][0];
  EXPECT_EQ(recorded["state"], "healthy");
  EXPECT_EQ(recorded["kind"], "deploy");
  EXPECT_EQ(recorded["spec"]["documents"][0]["kind"], "Deployment") << recorded.dump(2);  // No port: no Service.
  EXPECT_EQ(recorded["settings"]["env"]["MODE"], "calm");

  // The new release comes with a setting that keeps its pods from ever being ready.
  WriteProject("recspec", settings + "        STANDIN_STALL: \"1\"\n");
  result = berth_.Run({"deploy", "dev", "--version", "1.0.1"});
  ASSERT_EQ(result.exit_code, 8) << Describe(result);

  result = berth_.Run({"rollback", "dev", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_TRUE(Contains(result.stderr_data, "re-applying the recorded specification of version 1.0.0")) << result.stderr_data;
  EXPECT_EQ(LiveImage("recspec"), Image('1', "registry.example/recspec"));
  // kubectl reads back the earlier pod template: no STANDIN_STALL.
  auto env = Kubectl({"get", "deployment", "recspec", "-o", "jsonpath={.spec.template.spec.containers[0].env}"});
  EXPECT_TRUE(Contains(env.stdout_data, "calm")) << Describe(env);
  EXPECT_FALSE(Contains(env.stdout_data, "STANDIN_STALL")) << env.stdout_data;
  EXPECT_EQ(Kubectl({"rollout", "status", "deployment/recspec", "--timeout=10s"}).exit_code, 0);

  auto ledger = LedgerJson();
  EXPECT_EQ(ledger["releases"][1]["deployments"][0]["state"], "rolled-back");
  auto rollback = ledger["releases"][0]["deployments"].back();
  EXPECT_EQ(rollback["kind"], "rollback");
  EXPECT_EQ(rollback["state"], "healthy");
  EXPECT_EQ(rollback["from"], "1.0.1");
  EXPECT_EQ(rollback["spec"], recorded["spec"]);
  EXPECT_EQ(ledger["releases"][0]["deployments"][0]["state"], "superseded");

  // The ledger view says how each went, not only where.
  result = berth_.Run({"history"});
  EXPECT_TRUE(Contains(result.stdout_data, "dev (rolled-back)")) << result.stdout_data;
  EXPECT_TRUE(Contains(result.stdout_data, "dev (healthy)")) << result.stdout_data;
}

// --revision N is recorded too, under the release whose digest it runs.
TEST_F(K8sE2eTest, RollbackByRevisionIsRecordedUnderItsRelease) {
  WriteProject("byrev", KubeconfigLine() + "      replicas: 1\n");
  WriteLedger("byrev", {{"1.0.0", '3'}, {"1.0.1", '4'}});
  ASSERT_EQ(berth_.Run({"deploy", "dev", "--version", "1.0.0"}).exit_code, 0);
  ASSERT_EQ(berth_.Run({"deploy", "dev", "--version", "1.0.1"}).exit_code, 0);
  auto result = berth_.Run({"rollback", "dev", "--revision", "1"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  auto ledger = LedgerJson();
  ASSERT_EQ(ledger["releases"][0]["deployments"].size(), 2u) << ledger.dump(2);
  auto rollback = ledger["releases"][0]["deployments"][1];
  EXPECT_EQ(rollback["kind"], "rollback");
  EXPECT_EQ(rollback["from"], "1.0.1");
  EXPECT_EQ(rollback["revision"], "3");
  EXPECT_EQ(ledger["releases"][1]["deployments"][0]["state"], "rolled-back");

  // An image the ledger does not know: rolled back, not recorded, and said.
  ASSERT_EQ(berth_.Run({"deploy", "dev", "--image", Image('9', "registry.example/byrev")}).exit_code, 0);
  ASSERT_EQ(berth_.Run({"deploy", "dev", "--version", "1.0.1"}).exit_code, 0);
  result = berth_.Run({"rollback", "dev", "--revision", "4"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_TRUE(Contains(result.stderr_data, "dev: revision 4 runs " + Image('9', "registry.example/byrev") +
                                               ", which is no release in releases.json; the rollback is not recorded"))
      << result.stderr_data;
}

TEST_F(K8sE2eTest, StalledRolloutExitsWithTheDeployCode) {
  WriteProject("stall", KubeconfigLine() + "      replicas: 1\n      progress_deadline_seconds: 1\n");
  auto result = berth_.Run({"deploy", "dev", "--image", Image('a', "registry.example/stall")});
  EXPECT_EQ(result.exit_code, 8) << Describe(result);
  EXPECT_TRUE(Contains(result.stderr_data, "error: k8s: deploy: deployment \"stall\" exceeded its progress deadline (ProgressDeadlineExceeded: "
                                           "ReplicaSet \"stall-"))
      << result.stderr_data;
  EXPECT_TRUE(Contains(result.stderr_data, "or roll back with `berth rollback dev`\n"));
  // kubectl agrees.
  auto status = Kubectl({"rollout", "status", "deployment/stall", "--timeout=10s"});
  EXPECT_NE(status.exit_code, 0);
  EXPECT_TRUE(Contains(status.stderr_data, "deployment \"stall\" exceeded its progress deadline")) << Describe(status);
}

TEST_F(K8sE2eTest, DryRunShowsManifestsAndAppliesNothing) {
  WriteProject("dry", KubeconfigLine() + "      port: 8080\n");
  standin_->ClearRequests();
  auto result = berth_.Run({"deploy", "dev", "--image", Image('a'), "--version", "1.0.0", "--dry-run", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  auto plan = nlohmann::json::parse(result.stdout_data);
  // Where it connects comes first: a dry run is where to read it.
  const std::string connect = "connect to " + standin_->url() + " (kubeconfig " + standin_->kubeconfig() + ", context ";
  ASSERT_EQ(plan["actions"].size(), 3u) << plan.dump(2);
  EXPECT_EQ(plan["actions"][0].get<std::string>().rfind(connect, 0), 0u) << plan["actions"][0];
  EXPECT_EQ(plan["actions"][1], "create Service default/dry");
  EXPECT_EQ(plan["actions"][2], "create Deployment default/dry");
  EXPECT_EQ(plan["documents"][1]["kind"], "Deployment");
  EXPECT_EQ(plan["documents"][1]["spec"]["template"]["spec"]["containers"][0]["image"], Image('a'));
  int writes = 0;
  for (const auto& request : standin_->Requests()) {
    if (request["method"] == "GET") continue;
    ++writes;
    EXPECT_EQ(request["query"]["dryRun"], "All") << request.dump();
  }
  EXPECT_EQ(writes, 2);
  EXPECT_NE(Kubectl({"get", "deployment", "dry"}).exit_code, 0);
  // The table view lists the actions.
  result = berth_.Run({"deploy", "dev", "--image", Image('a'), "--dry-run"});
  EXPECT_EQ(result.stdout_data, "ACTION\n" + plan["actions"][0].get<std::string>() + "\ncreate Service default/dry\ncreate Deployment default/dry\n");
}

TEST_F(K8sE2eTest, ApplyConflictIsExplained) {
  WriteProject("busy", KubeconfigLine() + "      replicas: 1\n");
  ASSERT_EQ(berth_.Run({"deploy", "dev", "--image", Image('a')}).exit_code, 0);
  // kubectl's own server-side apply as another field manager takes spec.replicas.
  WriteFileAtomic(berth_.work_dir() / "scale.yaml",
                  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: busy\nspec:\n  replicas: 3\n");
  auto scaled = Kubectl({"apply", "--server-side", "--force-conflicts", "--field-manager=autoscaler", "-f",
                         (berth_.work_dir() / "scale.yaml").string()});
  ASSERT_EQ(scaled.exit_code, 0) << Describe(scaled);
  auto result = berth_.Run({"deploy", "dev", "--image", Image('b')});
  EXPECT_EQ(result.exit_code, 8) << Describe(result);
  EXPECT_EQ(result.stderr_data,
            "error: k8s: deploy: Deployment default/busy: server-side apply conflict: .spec.replicas is owned by field manager "
            "\"autoscaler\"; set force_conflicts: true in the target settings to take them over\n");
}

TEST_F(K8sE2eTest, ExecCredentialPluginRunsOnceForAWholeDeploy) {
  fs::path dir = berth_.home() / "kube";
  fs::create_directories(dir);
  WriteFileAtomic(dir / "token", standin_->token(), 0600);
  fs::path count = dir / "count";
  std::string kubeconfig = "clusters:\n- name: c\n  cluster:\n    server: " + standin_->url() + "\n    certificate-authority: " +
                           standin_->ca_file() + "\nusers:\n- name: u\n  user:\n    exec:\n"
                           "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                           "      command: " + std::string(K8S_TESTDATA_DIR) + "/exec_plugin.py\n"
                           "      interactiveMode: IfAvailable\n      env:\n"
                           "      - {name: EXEC_API_VERSION, value: client.authentication.k8s.io/v1beta1}\n"
                           "      - {name: EXEC_COUNT_FILE, value: " + count.string() + "}\n"
                           "      - {name: EXEC_TOKEN_FILE, value: " + (dir / "token").string() + "}\n"
                           "contexts:\n- name: gke\n  context: {cluster: c, user: u}\ncurrent-context: gke\n";
  WriteFileAtomic(dir / "config", kubeconfig, 0600);
  WriteProject("execd", "      kubeconfig: " + (dir / "config").string() + "\n      port: 8080\n");
  auto result = berth_.Run({"deploy", "dev", "--image", Image('a'), "-vv"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(ReadFile(count), "run\n");  // one run for every request of the deploy
  EXPECT_FALSE(Contains(result.stderr_data, standin_->token()));
  EXPECT_TRUE(Contains(result.stderr_data, "using the cached credential of exec credential plugin")) << result.stderr_data;
  // A plan names the program it ran for its token.
  auto planned = berth_.Run({"deploy", "dev", "--image", Image('b'), "--dry-run", "-o", "json"});
  ASSERT_EQ(planned.exit_code, 0) << Describe(planned);
  auto plan = nlohmann::json::parse(planned.stdout_data);
  EXPECT_EQ(plan["actions"][1], "run " + std::string(K8S_TESTDATA_DIR) + "/exec_plugin.py for a token (the kubeconfig's exec credential plugin)")
      << plan.dump(2);
}

TEST_F(K8sE2eTest, KubeconfigListTokenFileAndClientCertificate) {
  fs::path dir = berth_.home() / "kube";
  fs::create_directories(dir);
  WriteFileAtomic(dir / "token", standin_->token() + "\n", 0600);
  WriteFileAtomic(dir / "clusters", "clusters:\n- name: c\n  cluster:\n    server: " + standin_->url() +
                                        "\n    certificate-authority: " + standin_->ca_file() +
                                        "\ncontexts:\n- name: tok\n  context: {cluster: c, user: tok}\n"
                                        "- name: cert\n  context: {cluster: c, user: cert}\ncurrent-context: tok\n");
  WriteFileAtomic(dir / "users", "users:\n- name: tok\n  user: {tokenFile: token}\n- name: cert\n  user:\n"
                                 "    client-certificate: " + standin_->client_cert() + "\n    client-key: " +
                                     standin_->client_key() + "\ncurrent-context: cert\n", 0600);
  berth_.SetEnv("KUBECONFIG", (dir / "clusters").string() + ":" + (dir / "users").string());
  WriteProject("merged", "      replicas: 1\n");
  standin_->ClearRequests();
  auto result = berth_.Run({"deploy", "dev", "--image", Image('a')});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  for (const auto& request : standin_->Requests()) EXPECT_EQ(request["user"], "standin-admin") << request.dump();

  WriteProject("merged", "      replicas: 1\n      context: cert\n");
  standin_->ClearRequests();
  result = berth_.Run({"status", "dev", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["ready"], true);
  for (const auto& request : standin_->Requests()) EXPECT_EQ(request["user"], "standin-cert-user") << request.dump();
}

TEST_F(K8sE2eTest, HealthCheckFailureExitsWithTheDeployCode) {
  HealthEndpoint health(503);
  WriteProject("sick", KubeconfigLine() + "      replicas: 1\n",
               "    health:\n      url: " + health.url("/healthz") + "\n      timeout: 2s\n      interval: 1s\n");
  auto result = berth_.Run({"deploy", "dev", "--image", Image('a')});
  EXPECT_EQ(result.exit_code, 8) << Describe(result);
  EXPECT_TRUE(Contains(result.stderr_data, "error: health check of " + health.url("/healthz") + " failed: still HTTP 503 after 2s ("))
      << result.stderr_data;
  result = berth_.Run({"deploy", "dev", "--image", Image('a'), "--no-health"});
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
}

TEST_F(K8sE2eTest, SecretsInAKubernetesSecretWithoutRevealingValues) {
  WriteProject("vault", KubeconfigLine(),
               "    secrets:\n      store: k8s\n      from: .env.dev\n      settings:\n        kubeconfig: " +
                   standin_->kubeconfig() + "\n        secret: vault-{environment}\n");
  const std::string secret = "sk-live-4f9a8b7c6d5e";
  auto result = berth_.Run({"secrets", "set", "dev", "API_KEY", "-vvv"}, secret + "\n");
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_FALSE(Contains(result.stdout_data + result.stderr_data, secret));
  EXPECT_FALSE(Contains(result.stdout_data + result.stderr_data, Base64Encode(secret)));
  // kubectl reads back exactly what was set.
  auto read = Kubectl({"get", "secret", "vault-dev", "-o", "jsonpath={.data.API_KEY}"});
  EXPECT_EQ(Base64Decode(read.stdout_data).value_or(""), secret);

  EXPECT_EQ(berth_.Json({"secrets", "list", "dev"}), nlohmann::json::parse(R"([{"name":"API_KEY"}])"));
  WriteFileAtomic(berth_.work_dir() / ".env.dev", "API_KEY=" + secret + "\nDB_URL=postgres://u:hunter22@db/app\n", 0600);
  result = berth_.Run({"secrets", "diff", "dev", "-o", "json", "-vvv"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data),
            nlohmann::json::parse(R"([{"name":"API_KEY","change":"unchanged"},{"name":"DB_URL","change":"added"}])"));
  EXPECT_FALSE(Contains(result.stdout_data + result.stderr_data, "hunter22"));
  EXPECT_FALSE(Contains(result.stdout_data + result.stderr_data, secret));
  result = berth_.Run({"secrets", "sync", "dev", "-o", "json", "-vvv"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data), nlohmann::json::parse(R"([{"name":"DB_URL","change":"added","applied":true}])"));
  EXPECT_FALSE(Contains(result.stdout_data + result.stderr_data, "hunter22"));
  EXPECT_EQ(berth_.Json({"secrets", "list", "dev"}).size(), 2u);

  result = berth_.Run({"secrets", "delete", "dev", "DB_URL"});
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  result = berth_.Run({"secrets", "delete", "dev", "DB_URL"});
  EXPECT_EQ(result.exit_code, 6);
  EXPECT_EQ(result.stderr_data, "error: k8s: delete: no secret 'DB_URL' in Secret default/vault-dev\n");
}

// A private image in a namespace that does not exist yet: berth creates the
// namespace only with create_namespace, and hands the kubelet its own login
// for the image's registry (a real docker-registry with htpasswd auth) as a
// kubernetes.io/dockerconfigjson Secret that kubectl reads back, never
// showing the password: not at -vv, not in the plan, not in -o json.
TEST_F(K8sE2eTest, PrivateImagePullSecretInANamespaceBerthCreates) {
  // htpasswd Basic auth over TLS: a login the kubelet can use as it is (a
  // token registry's login is a refresh token, which pull_secret refuses).
  auto registry = StartRegistry("tls-basic");
  WriteFileAtomic(berth_.home() / "config" / "berth" / "registries.yaml",
                  "registries:\n  \"" + registry->host() + "\":\n    ca-file: " + registry->ready()["ca_file"].get<std::string>() + "\n");
  const std::string password = registry->ready()["users"]["alice"].get<std::string>();
  auto login = berth_.Run({"login", registry->host(), "-u", "alice", "--password-stdin"}, password);
  ASSERT_EQ(login.exit_code, 0) << Describe(login);
  const std::string image = Image('c', registry->host() + "/team/private");
  const std::string settings = KubeconfigLine() + "      namespace: x402\n      port: 8080\n      pull_secret: auto\n";
  auto leaks = [&](const ProcessResult& result) {
    std::string all = result.stdout_data + result.stderr_data;
    return Contains(all, password) || Contains(all, Base64Encode("alice:" + password));
  };

  WriteProject("private", settings);
  auto refused = berth_.Run({"deploy", "dev", "--image", image});
  EXPECT_EQ(refused.exit_code, 6) << Describe(refused);
  EXPECT_TRUE(Contains(refused.stderr_data, "namespace \"x402\" does not exist on " + standin_->url() +
                                                " (kubeconfig " + standin_->kubeconfig() + ", context standin); set "
                                                "create_namespace: true in the target settings to have berth create it\n"))
      << refused.stderr_data;
  EXPECT_EQ(berth_.Run({"deploy", "dev", "--image", image, "--dry-run"}).exit_code, 6);
  EXPECT_NE(Kubectl({"get", "namespace", "x402"}).exit_code, 0);

  WriteProject("private", settings + "      create_namespace: true\n");
  auto planned = berth_.Run({"deploy", "dev", "--image", image, "--dry-run", "-o", "json", "-vv"});
  ASSERT_EQ(planned.exit_code, 0) << Describe(planned);
  EXPECT_FALSE(leaks(planned));
  auto plan = nlohmann::json::parse(planned.stdout_data);
  EXPECT_EQ(plan["actions"][1], "create Namespace x402") << plan.dump(2);
  EXPECT_EQ(plan["actions"][2], "create Secret x402/private-pull (kubernetes.io/dockerconfigjson for " + registry->host() +
                                    " from berth's credential; value not shown)");
  for (const auto& document : plan["documents"]) EXPECT_NE(document["kind"], "Secret") << document.dump();
  EXPECT_EQ(plan["documents"].back()["spec"]["template"]["spec"]["imagePullSecrets"][0]["name"], "private-pull");
  EXPECT_NE(Kubectl({"get", "namespace", "x402"}).exit_code, 0);

  auto deployed = berth_.Run({"deploy", "dev", "--image", image, "-o", "json", "-vv"});
  ASSERT_EQ(deployed.exit_code, 0) << Describe(deployed);
  EXPECT_FALSE(leaks(deployed));
  EXPECT_TRUE(Contains(deployed.stderr_data, "created namespace \"x402\"")) << deployed.stderr_data;
  EXPECT_TRUE(Contains(deployed.stderr_data, "created Secret x402/private-pull (image pull secret for " + registry->host() + ")"));

  // kubectl sees the namespace, the Secret and the Deployment's reference.
  auto secret_json = Kubectl({"-n", "x402", "get", "secret", "private-pull", "-o", "json"});
  ASSERT_EQ(secret_json.exit_code, 0) << Describe(secret_json);
  auto secret = nlohmann::json::parse(secret_json.stdout_data);
  EXPECT_EQ(secret["type"], "kubernetes.io/dockerconfigjson");
  EXPECT_EQ(secret["metadata"]["labels"]["app.kubernetes.io/managed-by"], "berth");
  auto config = nlohmann::json::parse(Base64Decode(secret["data"][".dockerconfigjson"].get<std::string>()).value_or("{}"));
  ASSERT_EQ(config["auths"].size(), 1u) << config.dump();  // The image's registry, nothing else.
  EXPECT_EQ(Base64Decode(config["auths"][registry->host()]["auth"].get<std::string>()), "alice:" + password);
  auto listed = Kubectl({"-n", "x402", "get", "secret"});
  EXPECT_TRUE(Contains(listed.stdout_data, "private-pull   kubernetes.io/dockerconfigjson   1")) << Describe(listed);
  EXPECT_EQ(Kubectl({"get", "namespace", "x402", "-o", "jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}"}).stdout_data,
            "berth");
  EXPECT_EQ(Kubectl({"-n", "x402", "get", "deployment", "private", "-o", "jsonpath={.spec.template.spec.imagePullSecrets[*].name}"})
                .stdout_data,
            "private-pull");

  // The same credential again: the Secret is left as it is.
  auto again = berth_.Run({"deploy", "dev", "--image", Image('d', registry->host() + "/team/private"), "-vv"});
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_FALSE(leaks(again));
  EXPECT_TRUE(Contains(again.stderr_data, "Secret x402/private-pull (image pull secret for " + registry->host() + ") unchanged"))
      << again.stderr_data;
}

// Handing a registry login to a cluster is berth.yaml's choice only in a
// project the user trusts, even when the kubeconfig is the user's own.
TEST_F(K8sE2eTest, APullSecretSettingNeedsATrustedProject) {
  BerthRunner untrusted;
  WriteFileAtomic(untrusted.work_dir() / "berth.yaml",
                  "service: web\nimage: registry.example/web\nenvironments:\n  dev:\n    target:\n      plugin: k8s\n"
                  "      pull_secret: auto\n");
  standin_->ClearRequests();
  auto result = untrusted.Run({"deploy", "dev", "--image", Image('a'), "--kubeconfig", standin_->kubeconfig()});
  EXPECT_EQ(result.exit_code, 3) << Describe(result);
  EXPECT_EQ(result.stderr_data,
            "error: berth.yaml:7:20: environments.dev.target.pull_secret hands your registry credentials to another service; "
            "this project is not trusted (run 'berth trust' after reading berth.yaml)\n");
  EXPECT_TRUE(standin_->Requests().empty());
}

}  // namespace
}  // namespace berth::testing
