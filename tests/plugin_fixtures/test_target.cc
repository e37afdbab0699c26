// Test fixture, not a platform: a target plugin ("test-target") that keeps
// its "deployments" in a JSON file (settings.state) so the host's release,
// deploy and rollback orchestration can be driven end to end without a
// cluster. A version listed in settings.unhealthy_versions deploys but never
// becomes healthy, which is how the tests make a rollout fail; with
// settings.failing_rollbacks every rollback fails and changes nothing.
#include <fstream>
#include <sstream>

#include "berth/plugin.h"
#include "berth/settings.h"
#include "berth/target.h"
#include "berth/util/fs.h"

namespace {

using nlohmann::json;

class TestTarget : public berth::Target {
 public:
  explicit TestTarget(json settings) : settings_(std::move(settings)) {}

  berth::Result<berth::DeployPlan> Plan(const berth::DeployRequest& request) noexcept override {
    return berth::CaptureResult([&] {
      berth::DeployPlan plan;
      plan.actions.push_back("set image " + request.image);
      return plan;
    });
  }
  berth::Result<berth::DeployOutcome> Deploy(const berth::DeployRequest& request) noexcept override {
    return berth::CaptureResult([&] { return Apply("deploy", request.image, request.version, request.health.has_value()); });
  }
  berth::Result<berth::TargetStatus> Status(const berth::TargetQuery&) noexcept override {
    return berth::CaptureResult([&] {
      json state = Load();
      berth::TargetStatus status;
      if (!state["history"].empty()) status.image = state["history"].back()["image"];
      status.ready = true;
      return status;
    });
  }
  berth::Result<std::vector<berth::TargetRevision>> History(const berth::TargetQuery&) noexcept override {
    return berth::CaptureResult([&] {
      std::vector<berth::TargetRevision> revisions;
      for (const auto& item : Load()["history"]) {
        revisions.push_back({item["revision"], item["image"], item["version"], "", false});
      }
      return revisions;
    });
  }
  berth::Result<berth::DeployOutcome> Rollback(const berth::RollbackRequest& request) noexcept override {
    return berth::CaptureResult([&] {
      if (!request.image) throw berth::Error(berth::ErrorCode::kUsage, "test-target rolls back to an image only");
      if (settings_.value("failing_rollbacks", false)) {
        throw berth::Error(berth::ErrorCode::kDeploy, "test-target: rollback to " + *request.image + " refused (failing_rollbacks)");
      }
      return Apply("rollback", *request.image, request.version.value_or(""), request.health.has_value());
    });
  }

 private:
  json Load() {
    std::string path = settings_.value("state", "");
    if (path.empty()) throw berth::Error(berth::ErrorCode::kInvalidInput, "test-target needs settings.state");
    std::ifstream in(path);
    if (!in) return {{"history", json::array()}};
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
  }
  berth::DeployOutcome Apply(const std::string& action, const std::string& image, const std::string& version, bool wait) {
    json state = Load();
    std::string revision = std::to_string(state["history"].size() + 1);
    state["history"].push_back({{"action", action}, {"image", image}, {"version", version}, {"revision", revision}});
    berth::WriteFileAtomic(settings_.value("state", ""), state.dump(2));
    berth::DeployOutcome outcome;
    outcome.revision = revision;
    json bad = settings_.value("unhealthy_versions", json::array());
    outcome.healthy = std::find(bad.begin(), bad.end(), version) == bad.end();
    (void)wait;
    return outcome;
  }
  json settings_;
};

void Register(berth::Registrar& registrar) {
  registrar.SetDescription("Test fixture: a target that records deployments in a file");
  // Declared, so that a project naming it needs no trust: nothing here names
  // an endpoint, a credential file or a program.
  registrar.AddTarget("test-target", "Deployments kept in a JSON file (tests only)",
                      [](const nlohmann::json& settings) { return std::make_unique<TestTarget>(settings); },
                      berth::SettingsSchema{
                          {"state", berth::Setting::Path("The JSON file the deployments are kept in").Required()},
                          {"unhealthy_versions", berth::Setting::TextList("Versions that deploy but never become healthy")},
                          {"failing_rollbacks", berth::Setting::Boolean("Every rollback fails, applying nothing")},
                      });
}

}  // namespace

BERTH_PLUGIN("test-target", "1.0.0", Register)
