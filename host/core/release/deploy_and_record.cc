#include "core/release/deploy_and_record.h"

#include <unistd.h>

#include <cstdlib>

#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "berth/util/time.h"
#include "core/release/signing_policy.h"

namespace berth::host {
namespace {

void RedactLeaves(nlohmann::json& value) {
  if (value.is_string()) {
    value = Redact(value.get<std::string>());
  } else if (value.is_structured()) {
    for (auto& item : value) RedactLeaves(item);
  }
}

// The ledger is committed to git: a specification that would carry a
// credential is not kept at all (a masked one could not be applied again).
nlohmann::json KeepableSpec(const nlohmann::json& spec, const std::string& environment) {
  if (spec.is_null()) return spec;
  std::string text = spec.dump();
  if (Redact(text) == text) return spec;
  log::Warn("{}: the target's specification holds a credential; the ledger keeps no copy of it (a rollback renders today's configuration)",
            environment);
  return nullptr;
}

// What a rollback by platform revision now runs, as the target reports it:
// the outcome's details, else its status.
std::string RunningImage(Target& target, const RollbackRequest& request, const DeployOutcome& outcome) {
  if (auto it = outcome.details.find("image"); it != outcome.details.end() && it->is_string() && !it->get<std::string>().empty()) {
    return it->get<std::string>();
  }
  Result<TargetStatus> status = target.Status(request.target);
  return status.ok() ? status.value().image : "";
}

// Records a deployment of a ledger version (other images are not in the
// ledger), from the ledger as it is on disk now: a deploy can take minutes.
void Record(const ProjectConfig& project, Ledger& ledger, const std::string& version, const TargetQuery& query,
            DeploymentKind kind, const std::string& from, const DeployResult& result) {
  Ledger current = Ledger::Load(project.ledger);
  if (version.empty() || current.Find(version) == nullptr) return;
  LedgerDeployment deployment;
  deployment.environment = query.environment;
  deployment.at = NowRfc3339();
  deployment.by = DeployActor();
  deployment.kind = kind;
  deployment.outcome = !result.outcome ? DeploymentState::kFailed : result.good ? DeploymentState::kHealthy : DeploymentState::kUnhealthy;
  deployment.state = deployment.outcome;
  deployment.from = from;
  deployment.settings = RedactedSettings(query.settings);
  if (result.outcome) {
    deployment.revision = result.outcome->revision;
    deployment.url = result.outcome->url;
    deployment.spec = KeepableSpec(result.outcome->spec, query.environment);
  }
  current.RecordDeployment(version, std::move(deployment));
  current.Save(project.ledger, project.ledger_markdown);
  ledger = std::move(current);
}

void Settle(DeployResult& result, Result<DeployOutcome>& called, bool health_configured) {
  if (!called.ok()) {
    result.status = called.status();
    return;
  }
  result.outcome = std::move(called).value();
  result.good = DeploySucceeded(*result.outcome, health_configured);
}

}  // namespace

std::string DeployActor() {
  for (const char* name : {"BERTH_ACTOR", "GITHUB_ACTOR"}) {
    if (const char* value = std::getenv(name); value != nullptr && *value) return value;
  }
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  const char* user = std::getenv("USER");
  return std::string(user != nullptr ? user : "unknown") + "@" + host;
}

void AimRollback(const ProjectConfig& project, const EnvironmentConfig& environment, const LedgerRelease& release,
                 const DeploymentRef& chosen, RollbackRequest& request) {
  request.image = release.ImageFor(environment.name, environment.registry);
  if (request.image->empty()) {
    throw Error(ErrorCode::kNotFound, "version " + release.version + " is not in " + environment.name + "'s registry " +
                                          environment.registry + "; run: berth promote " + release.version + " " + environment.name);
  }
  request.version = release.version;
  if (chosen && !chosen.deployment->spec.is_null()) {
    request.spec = chosen.deployment->spec;
  } else {
    log::Warn("{}: {} holds no recorded specification of {} here; the rollback deploys its image with today's berth.yaml",
              environment.name, project.ledger.filename().string(), release.version);
  }
}

nlohmann::json RedactedSettings(const nlohmann::json& settings) {
  if (settings.is_null()) return settings;
  // As text first: Redact knows token and password fields by their JSON keys.
  try {
    return nlohmann::json::parse(Redact(settings.dump()));
  } catch (const nlohmann::json::exception&) {
    nlohmann::json copy = settings;
    RedactLeaves(copy);
    return copy;
  }
}

DeployResult DeployAndRecord(const ProjectConfig& project, Services& services, Target& target, Ledger& ledger,
                             const DeployRequest& request) {
  EnforceSigningPolicy(project, services, request.image);
  Result<DeployOutcome> called = target.Deploy(request);
  DeployResult result;
  Settle(result, called, request.health.has_value());
  if (!request.version.empty() && ledger.Find(request.version) != nullptr) result.version = ledger.Find(request.version)->version;
  Record(project, ledger, result.version, request.target, DeploymentKind::kDeploy, "", result);
  result.recorded = !result.version.empty();
  return result;
}

DeployResult RollbackAndRecord(const ProjectConfig& project, Services& services, Target& target, Ledger& ledger,
                               const RollbackRequest& request) {
  const std::string environment = request.target.environment;
  DeploymentRef latest = ledger.Latest(environment);
  std::string from = latest ? latest.release->version : "";
  // A platform revision (--revision) names no digest to check; the platform ran it before.
  if (request.image) EnforceSigningPolicy(project, services, *request.image);
  Result<DeployOutcome> called = target.Rollback(request);
  DeployResult result;
  Settle(result, called, request.health.has_value());
  if (request.version && ledger.Find(*request.version) != nullptr) {
    result.version = ledger.Find(*request.version)->version;
  } else if (request.revision && result.outcome && !ledger.releases().empty()) {
    // Without a ledger there is nothing to record under, and nothing to say.
    std::string image = RunningImage(target, request, *result.outcome);
    if (const LedgerRelease* release = ledger.FindByDigest(ImageDigest(image))) {
      result.version = release->version;
    } else {
      log::Warn("{}: revision {} runs {}, which is no release in {}; the rollback is not recorded", environment, *request.revision,
                image.empty() ? "an image the target did not report" : image, project.ledger.filename().string());
    }
  }
  Record(project, ledger, result.version, request.target, DeploymentKind::kRollback, from, result);
  result.recorded = !result.version.empty();
  return result;
}

}  // namespace berth::host
