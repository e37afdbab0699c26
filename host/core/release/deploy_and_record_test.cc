#include "core/release/deploy_and_record.h"

#include <gtest/gtest.h>

#include <map>

#include "berth/credential_provider.h"
#include "berth/secret_store.h"
#include "berth/signer.h"
#include "berth/util/fs.h"
#include "berth/util/redact.h"

namespace berth::host {
namespace {

Status Unused() { return Status(ErrorCode::kFailure, "not used here"); }

// Nothing to open: no signing policy is configured in these projects.
class NoServices : public Services {
 public:
  Result<std::unique_ptr<SecretStore>> OpenSecretStore(const std::string&, const nlohmann::json&) noexcept override { return Unused(); }
  Result<std::unique_ptr<Target>> OpenTarget(const std::string&, const nlohmann::json&) noexcept override { return Unused(); }
  Result<std::unique_ptr<CredentialProvider>> OpenCredentialProvider(const std::string&, const nlohmann::json&) noexcept override {
    return Unused();
  }
  Result<IssuedToken> MintToken(const std::string&, const nlohmann::json&, const TokenRequest&) noexcept override { return Unused(); }
  Result<std::unique_ptr<Signer>> OpenSigner(const std::string&, const nlohmann::json&) noexcept override { return Unused(); }
};

// A platform in memory: each deploy's spec is its settings' "config" and
// image; a config of "broken" comes up unhealthy.
class FakeTarget : public Target {
 public:
  Result<DeployPlan> Plan(const DeployRequest&) noexcept override { return DeployPlan{}; }
  Result<DeployOutcome> Deploy(const DeployRequest& request) noexcept override {
    return Run(request.image, request.target.settings.value("config", ""));
  }
  Result<TargetStatus> Status(const TargetQuery&) noexcept override {
    TargetStatus status;
    status.image = running_image;
    return status;
  }
  Result<std::vector<TargetRevision>> History(const TargetQuery&) noexcept override { return std::vector<TargetRevision>{}; }
  Result<DeployOutcome> Rollback(const RollbackRequest& request) noexcept override {
    rollbacks.push_back(request);
    if (request.spec) return Run((*request.spec)["image"].get<std::string>(), (*request.spec)["config"].get<std::string>());
    if (request.image) return Run(*request.image, request.target.settings.value("config", ""));
    return Run(revision_images.at(*request.revision), "");
  }

  Result<DeployOutcome> Run(const std::string& image, const std::string& config) {
    if (config == "fails") return berth::Status(ErrorCode::kDeploy, "rollout stalled");
    running_image = image;
    DeployOutcome outcome;
    outcome.revision = std::to_string(++revision);
    outcome.healthy = config != "broken";
    outcome.health_checked = true;
    outcome.spec = {{"image", image}, {"config", config}};
    return outcome;
  }

  int revision = 0;
  std::string running_image;
  std::map<std::string, std::string> revision_images;
  std::vector<RollbackRequest> rollbacks;
};

class DeployAndRecordTest : public ::testing::Test {
 protected:
  DeployAndRecordTest() {
    project_.dir = dir_.path();
    project_.service = "shop";
    project_.ledger = dir_.path() / "releases.json";
    project_.ledger_markdown = dir_.path() / "RELEASES.md";
    Ledger ledger;
    for (char c : std::string("123")) {
      LedgerRelease release;
      release.version = std::string("1.0.") + c;
      release.digest = "sha256:" + std::string(64, c);
      release.images = {"r.example/shop:" + release.version};
      ledger.Add(release);
    }
    ledger.Save(project_.ledger, project_.ledger_markdown);
  }

  DeployResult Deploy(const std::string& version, const std::string& config) {
    Ledger ledger = Ledger::Load(project_.ledger);
    DeployRequest request;
    request.target = {"shop", "staging", {{"config", config}, {"token", "tk-0123456789abcdef"}}};
    request.version = version;
    request.image = ledger.Find(version)->ImageByDigest();
    return DeployAndRecord(project_, services_, target_, ledger, request);
  }

  TempDir dir_;
  ProjectConfig project_;
  NoServices services_;
  FakeTarget target_;
};

TEST_F(DeployAndRecordTest, RecordsStateSpecAndRedactedSettings) {
  EXPECT_TRUE(Deploy("1.0.1", "v1").good);
  DeployResult broken = Deploy("1.0.2", "broken");
  EXPECT_FALSE(broken.good);
  EXPECT_TRUE(broken.recorded);
  Ledger ledger = Ledger::Load(project_.ledger);
  const LedgerDeployment& first = ledger.Find("1.0.1")->deployments.at(0);
  EXPECT_EQ(first.state, DeploymentState::kSuperseded);
  EXPECT_EQ(first.spec, nlohmann::json({{"image", "r.example/shop@sha256:" + std::string(64, '1')}, {"config", "v1"}}));
  EXPECT_EQ(first.settings["config"], "v1");
  EXPECT_EQ(first.settings["token"], "***");  // A credential-shaped setting is not kept.
  EXPECT_EQ(ledger.Find("1.0.2")->deployments.at(0).state, DeploymentState::kUnhealthy);

  DeployResult failed = Deploy("1.0.3", "fails");
  EXPECT_FALSE(failed.status.ok());
  ledger = Ledger::Load(project_.ledger);
  EXPECT_EQ(ledger.Latest("staging").deployment->state, DeploymentState::kFailed);
  EXPECT_TRUE(ledger.Latest("staging").deployment->spec.is_null());
  EXPECT_EQ(ledger.Find("1.0.2")->deployments.at(0).state, DeploymentState::kUnhealthy) << "a failure replaces nothing";
}

// A rollback re-applies what was recorded, and is recorded itself.
TEST_F(DeployAndRecordTest, RollbackReappliesTheRecordedSpecAndIsRecorded) {
  ASSERT_TRUE(Deploy("1.0.1", "v1").good);
  ASSERT_FALSE(Deploy("1.0.2", "broken").good);
  Ledger ledger = Ledger::Load(project_.ledger);
  DeploymentRef previous = ledger.PreviousLive("staging");
  ASSERT_TRUE(previous);
  RollbackRequest request;
  request.target = {"shop", "staging", {{"config", "broken"}}};  // Today's berth.yaml is what broke.
  request.image = previous.release->ImageByDigest();
  request.version = previous.release->version;
  request.spec = previous.deployment->spec;
  DeployResult back = RollbackAndRecord(project_, services_, target_, ledger, request);
  EXPECT_TRUE(back.good);
  ASSERT_EQ(target_.rollbacks.size(), 1u);
  ledger = Ledger::Load(project_.ledger);
  DeploymentRef latest = ledger.Latest("staging");
  EXPECT_EQ(latest.release->version, "1.0.1");
  EXPECT_EQ(latest.deployment->kind, DeploymentKind::kRollback);
  EXPECT_EQ(latest.deployment->state, DeploymentState::kHealthy);
  EXPECT_EQ(latest.deployment->from, "1.0.2");
  EXPECT_EQ(latest.deployment->spec["config"], "v1");
  EXPECT_EQ(ledger.Find("1.0.2")->deployments.at(0).state, DeploymentState::kRolledBack);
}

// --revision N: recorded under the release whose digest now runs.
TEST_F(DeployAndRecordTest, RollbackByRevisionMapsTheImageBackToItsRelease) {
  ASSERT_TRUE(Deploy("1.0.1", "v1").good);
  ASSERT_TRUE(Deploy("1.0.2", "v2").good);
  target_.revision_images["1"] = "r.example/shop@sha256:" + std::string(64, '1');
  target_.revision_images["9"] = "r.example/other@sha256:" + std::string(64, 'f');
  Ledger ledger = Ledger::Load(project_.ledger);
  RollbackRequest request;
  request.target = {"shop", "staging", nlohmann::json::object()};
  request.revision = "1";
  DeployResult back = RollbackAndRecord(project_, services_, target_, ledger, request);
  EXPECT_TRUE(back.recorded);
  EXPECT_EQ(back.version, "1.0.1");
  EXPECT_EQ(Ledger::Load(project_.ledger).Latest("staging").deployment->kind, DeploymentKind::kRollback);

  request.revision = "9";
  back = RollbackAndRecord(project_, services_, target_, ledger, request);
  EXPECT_TRUE(back.good);
  EXPECT_FALSE(back.recorded);
  EXPECT_EQ(Ledger::Load(project_.ledger).Latest("staging").release->version, "1.0.1");
}

TEST(RedactedSettingsTest, MasksRegisteredSecretsAndCredentialFields) {
  RegisterSecret("s3cr3t-value-123456");
  nlohmann::json settings = {{"url", "https://x.example/?a=s3cr3t-value-123456"}, {"password", "hunter2hunter2"}, {"replicas", 2}};
  nlohmann::json redacted = RedactedSettings(settings);
  EXPECT_EQ(redacted["replicas"], 2);
  EXPECT_EQ(redacted["url"].get<std::string>().find("s3cr3t"), std::string::npos) << redacted.dump();
  EXPECT_EQ(redacted["password"], "***") << redacted.dump();
}

}  // namespace
}  // namespace berth::host
