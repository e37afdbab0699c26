// The k8s target against the Kubernetes API server stand-in: deploy, rollout
// waits, revisions, history, rollback, stalled rollouts, dry runs, conflicts
// and health checks.
#include "k8s_target.h"

#include <gtest/gtest.h>

#include "berth/util/base64.h"
#include "health_endpoint.h"
#include "k8s_test_support.h"
#include "kube_standin.h"

namespace berth::k8s {
namespace {
using berth::testing::HealthEndpoint;
using berth::testing::KubeStandin;

std::string Image(char digit, const std::string& repository = "registry.example/web") {
  return repository + "@sha256:" + std::string(64, digit);
}

class K8sTargetTest : public StandinSuite {
 protected:

  nlohmann::json Settings(const nlohmann::json& extra = nlohmann::json::object()) {
    nlohmann::json settings = {{"kubeconfig", standin_->kubeconfig()}, {"replicas", 2}, {"port", 8080}};
    settings.update(extra);
    return settings;
  }
  std::unique_ptr<K8sTarget> Target(const nlohmann::json& settings) {
    auto target = std::make_unique<K8sTarget>(settings);
    target->SetPollInterval(std::chrono::milliseconds(100));
    target->SetProgress([this](const std::string& line) { progress_.push_back(line); });
    return target;
  }
  DeployRequest Request(const std::string& service, const nlohmann::json& settings, const std::string& image,
                        const std::string& version) {
    DeployRequest request;
    request.target = {service, "dev", settings};
    request.image = image;
    request.version = version;
    request.timeout = std::chrono::seconds(30);
    return request;
  }
  RollbackRequest Rollback(const std::string& service, const nlohmann::json& settings, std::optional<std::string> revision) {
    RollbackRequest request;
    request.target = {service, "dev", settings};
    request.revision = std::move(revision);
    request.timeout = std::chrono::seconds(30);
    return request;
  }
  nlohmann::json LiveDeployment(const std::string& name) {
    return standin_->Call("GET", "/apis/apps/v1/namespaces/default/deployments/" + name).Json();
  }
  bool Progressed(const std::string& line) {
    return std::find(progress_.begin(), progress_.end(), line) != progress_.end();
  }

  std::vector<std::string> progress_;
};

TEST_F(K8sTargetTest, DeploysWaitsAndKeepsRevisionsForHistoryAndRollback) {
  nlohmann::json settings = Settings();
  auto target = Target(settings);
  standin_->ClearRequests();
  DeployOutcome first = target->Deploy(Request("shop", settings, Image('a'), "1.0.0")).value();
  EXPECT_EQ(first.revision, "1");
  EXPECT_TRUE(first.healthy);
  EXPECT_EQ(first.url, "http://shop.default.svc.cluster.local");
  EXPECT_TRUE(Progressed("applied Service default/shop"));
  // Pods take a while to become ready: berth saw at least one of kubectl's waiting lines first.
  EXPECT_TRUE(std::any_of(progress_.begin(), progress_.end(),
                          [](const std::string& line) { return line.rfind("Waiting for deployment", 0) == 0; }))
      << ::testing::PrintToString(progress_);
  EXPECT_EQ(progress_.back(), "deployment \"shop\" successfully rolled out");
  // Both objects went in by server-side apply as field manager berth.
  int applies = 0;
  for (const auto& request : standin_->Requests()) {
    if (request["method"] != "PATCH") continue;
    EXPECT_EQ(request["content_type"], "application/apply-patch+yaml");
    EXPECT_EQ(request["field_manager"], "berth");
    ++applies;
  }
  EXPECT_EQ(applies, 2);

  EXPECT_EQ(target->Deploy(Request("shop", settings, Image('b'), "2.0.0")).value().revision, "2");
  auto history = target->History({"shop", "dev", settings}).value();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].revision, "1");
  EXPECT_EQ(history[0].version, "1.0.0");
  EXPECT_EQ(history[0].image, Image('a'));
  EXPECT_FALSE(history[0].current);
  EXPECT_EQ(history[1].revision, "2");
  EXPECT_EQ(history[1].version, "2.0.0");
  EXPECT_TRUE(history[1].current);
  EXPECT_FALSE(history[1].created_at.empty());

  TargetStatus status = target->Status({"shop", "dev", settings}).value();
  EXPECT_TRUE(status.ready);
  EXPECT_EQ(status.image, Image('b'));
  EXPECT_EQ(status.revision, "2");
  EXPECT_EQ(status.message, "2/2 replicas available");
  EXPECT_EQ(status.details["version"], "2.0.0");

  // Back to revision 1: its template returns as revision 3, as kubectl rollout undo does.
  DeployOutcome back = target->Rollback(Rollback("shop", settings, "1")).value();
  EXPECT_EQ(back.revision, "3");
  EXPECT_EQ(back.details["rolled_back_to"], 1);
  nlohmann::json live = LiveDeployment("shop");
  EXPECT_EQ(live["spec"]["template"]["spec"]["containers"][0]["image"], Image('a'));
  EXPECT_EQ(live["metadata"]["annotations"]["berth.dev/version"], "1.0.0");
  EXPECT_EQ(live["metadata"]["labels"]["app.kubernetes.io/version"], "1.0.0");
  history = target->History({"shop", "dev", settings}).value();
  ASSERT_EQ(history.size(), 2u);  // revision 1's ReplicaSet became revision 3
  EXPECT_EQ(history[1].revision, "3");
  EXPECT_EQ(history[1].version, "1.0.0");
  EXPECT_TRUE(history[1].current);

  // No revision: the one before the newest.
  EXPECT_EQ(target->Rollback(Rollback("shop", settings, std::nullopt)).value().revision, "4");
  EXPECT_EQ(target->Status({"shop", "dev", settings}).value().image, Image('b'));
  DeployOutcome same = target->Rollback(Rollback("shop", settings, "4")).value();
  EXPECT_EQ(same.details["skipped"], true);
  EXPECT_EQ(progress_.back(), "skipped rollback (current template already matches revision 4)");

  Error missing = ErrorOf([&] { target->Rollback(Rollback("shop", settings, "99")).value(); });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(std::string(missing.what()), "unable to find specified revision 99 in history of deployment \"shop\"");

  // berth still owns its fields after a rollback: the next deploy does not conflict.
  EXPECT_EQ(target->Deploy(Request("shop", settings, Image('c'), "3.0.0")).value().revision, "5");
}

TEST_F(K8sTargetTest, StalledRolloutFailsWithProgressDeadlineExceeded) {
  nlohmann::json settings = Settings({{"progress_deadline_seconds", 1}});
  auto target = Target(settings);
  target->Deploy(Request("stuck", settings, Image('a'), "1.0.0")).value();
  auto started = std::chrono::steady_clock::now();
  Error error = ErrorOf([&] { target->Deploy(Request("stuck", settings, Image('b', "registry.example/stall"), "2.0.0")).value(); });
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(error.code(), ErrorCode::kDeploy);
  std::string message = error.what();
  EXPECT_EQ(message.rfind("deployment \"stuck\" exceeded its progress deadline (ProgressDeadlineExceeded: ReplicaSet \"stuck-", 0), 0u)
      << message;
  EXPECT_NE(message.find("has timed out progressing.); the previous pods keep serving: see `berth status dev`, or roll back "
                         "with `berth rollback dev`"),
            std::string::npos)
      << message;
  TargetStatus status = target->Status({"stuck", "dev", settings}).value();
  EXPECT_FALSE(status.ready);
  EXPECT_EQ(status.details["failed"], true);
  EXPECT_EQ(target->Rollback(Rollback("stuck", settings, std::nullopt)).value().revision, "3");
  EXPECT_TRUE(target->Status({"stuck", "dev", settings}).value().ready);
}

TEST_F(K8sTargetTest, GivesUpAtTheTimeout) {
  nlohmann::json settings = Settings();
  auto target = Target(settings);
  DeployRequest request = Request("slow", settings, Image('a', "registry.example/stall"), "1.0.0");
  request.timeout = std::chrono::seconds(1);
  Error error = ErrorOf([&] { target->Deploy(request).value(); });
  EXPECT_EQ(error.code(), ErrorCode::kDeploy);
  EXPECT_EQ(std::string(error.what()),
            "timed out after 1s waiting for deployment \"slow\" to roll out; last: Waiting for deployment \"slow\" rollout to "
            "finish: 0 of 2 updated replicas are available...; the previous pods keep serving: see `berth status dev`, or "
            "roll back with `berth rollback dev`");
}

TEST_F(K8sTargetTest, PlanAppliesNothingAndShowsWhatWouldChange) {
  nlohmann::json settings = Settings();
  auto target = Target(settings);
  standin_->ClearRequests();
  DeployPlan plan = target->Plan(Request("preview", settings, Image('a'), "1.0.0")).value();
  // Where the plan connected comes first: a dry run is where to read it.
  ASSERT_EQ(plan.actions.size(), 3u);
  EXPECT_EQ(plan.actions[0].rfind("connect to " + standin_->url() + " (kubeconfig " + standin_->kubeconfig(), 0), 0u)
      << plan.actions[0];
  EXPECT_EQ(std::vector<std::string>(plan.actions.begin() + 1, plan.actions.end()),
            (std::vector<std::string>{"create Service default/preview", "create Deployment default/preview"}));
  ASSERT_EQ(plan.documents.size(), 2u);
  EXPECT_EQ(plan.documents[1]["spec"]["template"]["spec"]["containers"][0]["image"], Image('a'));
  EXPECT_EQ(plan.diff, "Service default/preview: would be created\nDeployment default/preview: would be created\n");
  for (const auto& request : standin_->Requests()) {
    if (request["method"] == "GET") continue;
    EXPECT_EQ(request["method"], "PATCH");
    EXPECT_EQ(request["query"]["dryRun"], "All") << request.dump();
  }
  EXPECT_EQ(standin_->Call("GET", "/apis/apps/v1/namespaces/default/deployments/preview").status, 404);

  target->Deploy(Request("preview", settings, Image('a'), "1.0.0")).value();
  plan = target->Plan(Request("preview", settings, Image('b'), "2.0.0")).value();
  EXPECT_EQ(plan.actions[1], "unchanged Service default/preview");
  EXPECT_EQ(plan.actions[2].rfind("update Deployment default/preview (", 0), 0u) << plan.actions[2];
  EXPECT_NE(plan.actions[2].find(", new rollout)"), std::string::npos) << plan.actions[2];
  EXPECT_NE(plan.diff.find("  ~ spec.template.spec.containers[name=preview].image: \"" + Image('a') + "\" -> \"" + Image('b') + "\"\n"),
            std::string::npos)
      << plan.diff;
  EXPECT_NE(plan.diff.find("  ~ metadata.annotations[\"berth.dev/version\"]: \"1.0.0\" -> \"2.0.0\"\n"), std::string::npos) << plan.diff;
  EXPECT_EQ(LiveDeployment("preview")["spec"]["template"]["spec"]["containers"][0]["image"], Image('a'));
}

TEST_F(K8sTargetTest, ApplyConflictNamesTheFieldAndTheOtherManager) {
  nlohmann::json settings = Settings();
  auto target = Target(settings);
  target->Deploy(Request("contested", settings, Image('a'), "1.0.0")).value();
  // Another tool (an autoscaler, say) takes spec.replicas over.
  auto other = standin_->Call("PATCH", "/apis/apps/v1/namespaces/default/deployments/contested?fieldManager=autoscaler&force=true",
                              R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"contested"},"spec":{"replicas":5}})",
                              "application/apply-patch+yaml");
  ASSERT_EQ(other.status, 200) << other.body;
  Error error = ErrorOf([&] { target->Deploy(Request("contested", settings, Image('b'), "2.0.0")).value(); });
  EXPECT_EQ(error.code(), ErrorCode::kDeploy);
  EXPECT_EQ(std::string(error.what()),
            "Deployment default/contested: server-side apply conflict: .spec.replicas is owned by field manager \"autoscaler\"; "
            "set force_conflicts: true in the target settings to take them over");
  EXPECT_EQ(LiveDeployment("contested")["spec"]["template"]["spec"]["containers"][0]["image"], Image('a'));

  nlohmann::json forced = Settings({{"force_conflicts", true}});
  auto forcing = Target(forced);
  EXPECT_EQ(forcing->Deploy(Request("contested", forced, Image('b'), "2.0.0")).value().revision, "2");
  EXPECT_EQ(LiveDeployment("contested")["spec"]["replicas"], 2);
}

TEST_F(K8sTargetTest, HealthUrlIsPolledAfterTheRollout) {
  HealthEndpoint endpoint(200);
  nlohmann::json settings = Settings();
  auto target = Target(settings);
  DeployRequest request = Request("healthy", settings, Image('a'), "1.0.0");
  HealthCheck health;
  health.url = endpoint.url("/healthz");
  health.timeout = std::chrono::seconds(3);
  health.interval = std::chrono::seconds(1);
  request.health = health;
  DeployOutcome outcome = target->Deploy(request).value();
  EXPECT_TRUE(outcome.healthy);
  EXPECT_EQ(outcome.details["health_url"], endpoint.url("/healthz"));
  EXPECT_GE(endpoint.requests(), 1);
  EXPECT_EQ(endpoint.last_path(), "/healthz");
  // The probes sit on the health path.
  auto container = LiveDeployment("healthy")["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"], "/api/health");

  endpoint.set_status(503);
  request.image = Image('b');
  health.timeout = std::chrono::seconds(2);
  request.health = health;
  // Rolled out but unhealthy: an outcome the host records and may roll back.
  outcome = target->Deploy(request).value();
  EXPECT_FALSE(outcome.healthy);
  EXPECT_TRUE(outcome.health_checked);
  EXPECT_FALSE(DeploySucceeded(outcome, true));
  EXPECT_EQ(LiveDeployment("healthy")["spec"]["template"]["spec"]["containers"][0]["image"], Image('b'));
}

TEST_F(K8sTargetTest, StatusOfSomethingNeverDeployed) {
  nlohmann::json settings = Settings();
  Error error = ErrorOf([&] { Target(settings)->Status({"ghost", "dev", settings}).value(); });
  EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  EXPECT_EQ(std::string(error.what()), "deployment \"ghost\" does not exist in namespace \"default\" (kubeconfig " +
                                           standin_->kubeconfig() + ", context standin); deploy it with `berth deploy dev`");
}

// A namespace is berth's to create only when the settings say so; without
// the setting a missing one is one line naming it and the setting, before
// anything is written.
TEST_F(K8sTargetTest, CreatesItsNamespaceOnlyWhenAsked) {
  nlohmann::json settings = Settings({{"namespace", "made-here"}});
  auto target = Target(settings);
  standin_->ClearRequests();
  const std::string refusal = "namespace \"made-here\" does not exist on " + standin_->url() + " (kubeconfig " +
                              standin_->kubeconfig() + ", context standin); set create_namespace: true in the target "
                              "settings to have berth create it";
  Status deployed = target->Deploy(Request("ns", settings, Image('a'), "1.0.0")).status();
  EXPECT_EQ(deployed.code(), ErrorCode::kNotFound);
  EXPECT_EQ(deployed.message(), refusal);
  Status planned = target->Plan(Request("ns", settings, Image('a'), "1.0.0")).status();
  EXPECT_EQ(planned.message(), refusal);
  for (const auto& request : standin_->Requests()) EXPECT_EQ(request["method"], "GET") << request.dump();

  settings["create_namespace"] = true;
  target = Target(settings);
  DeployPlan plan = target->Plan(Request("ns", settings, Image('a'), "1.0.0")).value();
  EXPECT_EQ(std::vector<std::string>(plan.actions.begin() + 1, plan.actions.end()),
            (std::vector<std::string>{"create Namespace made-here", "create Service made-here/ns", "create Deployment made-here/ns"}));
  EXPECT_EQ(standin_->Call("GET", "/api/v1/namespaces/made-here").status, 404);  // A plan creates nothing.
  target->Deploy(Request("ns", settings, Image('a'), "1.0.0")).value();
  EXPECT_TRUE(Progressed("created namespace \"made-here\""));
  nlohmann::json made = standin_->Call("GET", "/api/v1/namespaces/made-here").Json();
  EXPECT_EQ(made["metadata"]["labels"]["app.kubernetes.io/managed-by"], "berth") << made.dump();
  EXPECT_EQ(standin_->Call("GET", "/apis/apps/v1/namespaces/made-here/deployments/ns").status, 200);
  // Once it exists there is nothing to create.
  progress_.clear();
  target->Deploy(Request("ns", settings, Image('b'), "2.0.0")).value();
  EXPECT_FALSE(Progressed("created namespace \"made-here\""));
}

// The pull secret goes to the cluster only when what it holds differs, and
// a plan names it without its value or a server dry run of it.
TEST_F(K8sTargetTest, PullSecretIsAppliedOnlyWhenItDiffers) {
  nlohmann::json settings = Settings({{"pull_secret", "auto"}, {"image_pull_secrets", {"team-cred"}}});
  auto target = Target(settings);
  std::string password = "pw-first-7f3a";
  target->SetCredentialLookup([&](const std::string& registry, const std::string&) {
    oci::Credential credential;
    credential.kind = oci::Credential::Kind::kBasic;
    credential.username = registry == "127.0.0.1:5000" ? "alice" : "";
    credential.secret = SecretValue(password);
    return credential;
  });
  const std::string image = Image('a', "127.0.0.1:5000/team/pulled");
  standin_->ClearRequests();
  DeployPlan plan = target->Plan(Request("pulled", settings, image, "1.0.0")).value();
  EXPECT_EQ(plan.actions[1], "create Secret default/pulled-pull (kubernetes.io/dockerconfigjson for 127.0.0.1:5000 from "
                             "berth's credential; value not shown)");
  EXPECT_EQ(plan.documents.size(), 2u);  // Service and Deployment: the Secret is named, never rendered.
  EXPECT_EQ(plan.documents.back()["spec"]["template"]["spec"]["imagePullSecrets"],
            nlohmann::json::parse(R"([{"name": "team-cred"}, {"name": "pulled-pull"}])"));
  // Compared with a GET, never sent for a server dry run.
  for (const auto& request : standin_->Requests()) {
    if (request["path"].get<std::string>().find("/secrets/") != std::string::npos) EXPECT_EQ(request["method"], "GET");
  }

  const std::string path = "/api/v1/namespaces/default/secrets/pulled-pull";
  auto writes = [&] {
    int count = 0;
    for (const auto& request : standin_->Requests()) count += request["method"] != "GET" && request["path"] == path;
    return count;
  };
  target->Deploy(Request("pulled", settings, image, "1.0.0")).value();
  EXPECT_TRUE(Progressed("created Secret default/pulled-pull (image pull secret for 127.0.0.1:5000)"));
  nlohmann::json secret = standin_->Call("GET", path).Json();
  EXPECT_EQ(secret["type"], "kubernetes.io/dockerconfigjson");
  auto config = nlohmann::json::parse(Base64Decode(secret["data"][".dockerconfigjson"].get<std::string>()).value_or(""));
  EXPECT_EQ(Base64Decode(config["auths"]["127.0.0.1:5000"]["auth"].get<std::string>()), "alice:" + password);
  EXPECT_EQ(LiveDeployment("pulled")["spec"]["template"]["spec"]["imagePullSecrets"][1]["name"], "pulled-pull");
  EXPECT_EQ(writes(), 1);

  target->Deploy(Request("pulled", settings, image, "1.0.1")).value();
  EXPECT_TRUE(Progressed("Secret default/pulled-pull (image pull secret for 127.0.0.1:5000) unchanged"));
  EXPECT_EQ(writes(), 1);

  password = "pw-rotated-91cc";
  plan = target->Plan(Request("pulled", settings, image, "1.0.2")).value();
  EXPECT_EQ(plan.actions[1].rfind("update Secret default/pulled-pull (", 0), 0u) << plan.actions[1];
  EXPECT_EQ(writes(), 1);
  target->Deploy(Request("pulled", settings, image, "1.0.2")).value();
  EXPECT_TRUE(Progressed("updated Secret default/pulled-pull (image pull secret for 127.0.0.1:5000)"));
  EXPECT_EQ(writes(), 2);
  secret = standin_->Call("GET", path).Json();
  config = nlohmann::json::parse(Base64Decode(secret["data"][".dockerconfigjson"].get<std::string>()).value_or(""));
  EXPECT_EQ(Base64Decode(config["auths"]["127.0.0.1:5000"]["auth"].get<std::string>()), "alice:" + password);
  for (const auto& line : progress_) EXPECT_EQ(line.find("pw-"), std::string::npos) << line;
}

}  // namespace
}  // namespace berth::k8s
