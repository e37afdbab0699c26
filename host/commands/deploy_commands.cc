// berth deploy|status|history|rollback|url ENV: the environment's target
// plugin (berth.yaml environments.ENV.target) does the platform's part.
#include "berth/output.h"
#include "berth/target.h"
#include "core/host.h"
#include "berth/util/log.h"
#include "core/release/deploy_and_record.h"
#include "core/release/ledger.h"
#include "core/release/platform_view.h"
#include "core/registry/registry_flags.h"
#include "core/release/signing_policy.h"
#include "core/config/target_flags.h"
#include "commands/environment_target.h"


#include <algorithm>
#include <filesystem>
#include <set>

namespace berth::host {
namespace {

std::chrono::seconds Timeout(CommandContext& context, std::chrono::seconds fallback) {
  auto text = context.args.GetOptional("timeout");
  if (!text) return fallback;
  auto value = ParseDuration(*text);
  if (!value) throw Error(ErrorCode::kUsage, "--timeout must be a duration like 90s, 5m or 1h (got '" + *text + "')");
  return *value;
}

void RequireDigest(const std::string& image) {
  size_t at = image.find("@sha256:");
  if (at == std::string::npos || image.size() != at + 8 + 64) {
    throw Error(ErrorCode::kInvalidInput,
                "deploy needs an image by digest (REPOSITORY@sha256:<64 hex>), got '" + image + "'; a tag can move under you");
  }
}

nlohmann::json OutcomeJson(const std::string& environment, const DeployOutcome& outcome) {
  return {{"environment", environment}, {"revision", outcome.revision}, {"url", outcome.url},
          {"healthy", outcome.healthy},  {"problem", outcome.problem}, {"details", outcome.details}};
}

// A deployment that came up unhealthy is exit 8 with one line saying why:
// the target's reason, or that it gave none.
Error UnhealthyError(const OpenedTarget& opened, const DeployOutcome& outcome) {
  if (!outcome.problem.empty()) return Error(ErrorCode::kDeploy, outcome.problem);
  return Error(ErrorCode::kDeploy, opened.query.environment + ": target " + opened.environment->target +
                                       " reports the deployment unhealthy without a reason (see berth status " +
                                       opened.query.environment + ")");
}

int RunDeploy(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);  // Before any registry client: the signing policy reads signatures.
  OpenedTarget opened = Open(host, context, Use::kChange);
  DeployRequest request;
  request.target = opened.query;
  request.version = context.args.GetOr("version", "");
  if (auto image = context.args.GetOptional("image")) {
    request.image = *image;
  } else if (!request.version.empty()) {
    const ProjectConfig& project = host.Project();
    Ledger ledger = Ledger::Load(project.ledger);
    const LedgerRelease* release = ledger.Find(request.version);
    if (release == nullptr) {
      throw Error(ErrorCode::kNotFound, "version " + request.version + " is not in " + project.ledger.filename().string());
    }
    request.image = release->ImageFor(opened.environment->name, opened.environment->registry);
    if (request.image.empty()) {
      throw Error(ErrorCode::kNotFound, "version " + release->version + " is not in " + opened.environment->name + "'s registry " +
                                            opened.environment->registry + " yet; run: berth promote " + release->version + " " +
                                            opened.environment->name);
    }
  } else {
    throw Error(ErrorCode::kUsage, "give --image REPOSITORY@sha256:... or --version VERSION (from the release ledger)");
  }
  RequireDigest(request.image);
  request.timeout = Timeout(context, std::chrono::seconds(300));
  if (context.args.Flag("no-health")) {
    request.wait_healthy = false;
  } else {
    request.health = opened.environment->health;
  }
  if (context.args.Flag("dry-run")) {
    DeployPlan plan = opened.target->Plan(request).value();
    if (auto verify = SigningPolicyAction(host.Project())) plan.actions.insert(plan.actions.begin(), *verify);
    context.output.Emit({{"environment", opened.query.environment},
                         {"image", request.image},
                         {"actions", plan.actions},
                         {"documents", plan.documents},
                         {"diff", plan.diff}},
                        Table{{"ACTION"}, [&] {
                                std::vector<std::vector<std::string>> rows;
                                for (const auto& action : plan.actions) rows.push_back({action});
                                return rows;
                              }()});
    return 0;
  }
  Ledger ledger = Ledger::Load(host.Project().ledger);
  DeployResult deployed = DeployAndRecord(host.Project(), context.services, *opened.target, ledger, request);
  deployed.status.ThrowIfError();
  context.output.Emit(OutcomeJson(opened.query.environment, *deployed.outcome));
  if (!deployed.good) throw UnhealthyError(opened, *deployed.outcome);
  return 0;
}

int RunStatus(Host& host, CommandContext& context) {
  OpenedTarget opened = Open(host, context, Use::kQuery);
  TargetStatus status = opened.target->Status(opened.query).value();
  const ProjectConfig& project = host.Project();
  StatusView view = ViewStatus(Ledger::Load(project.ledger), opened.query.environment, status);
  if (view.ledger == "behind") {
    log::Warn("{} has no record of revision {} in {}: the ledger is behind the platform (deployed from another checkout? "
              "pull the releases.json that was committed with it)",
              project.ledger.filename().string(), status.revision, opened.query.environment);
  }
  context.output.Emit({{"environment", opened.query.environment},
                       {"image", view.image},
                       {"version", view.version},
                       {"revision", status.revision},
                       {"url", status.url},
                       {"ready", status.ready},
                       {"message", status.message},
                       {"ledger", view.ledger},
                       {"details", status.details}},
                      Table{{"ENVIRONMENT", "READY", "REVISION", "VERSION", "IMAGE", "MESSAGE"},
                            {{opened.query.environment, status.ready ? "yes" : "no", status.revision, view.version, view.image, status.message}}});
  return 0;
}

// Each environment a release went to, with the state of its newest
// deployment there: a failed deploy is not "deployed to".
std::string EnvironmentStates(const Ledger& ledger, const LedgerRelease& release) {
  std::set<std::string> environments;
  for (const auto& deployment : release.deployments) environments.insert(deployment.environment);
  std::string out;
  for (const auto& environment : environments) {
    std::string state;
    for (const auto& ref : ledger.History(environment)) {
      if (ref.release == &release) {
        state = std::string(DeploymentStateName(ref.deployment->state));
        break;
      }
    }
    out += (out.empty() ? "" : ", ") + environment + " (" + state + ")";
  }
  return out;
}

// Without ENV: the release ledger.
int LedgerHistory(Host& host, CommandContext& context) {
  const ProjectConfig& project = host.Project();
  Ledger ledger = Ledger::Load(project.ledger);
  nlohmann::json releases = ledger.ToJson()["releases"];
  std::reverse(releases.begin(), releases.end());  // Newest first.
  Table table{{"VERSION", "CREATED", "DIGEST", "ENVIRONMENTS"}, {}};
  for (auto it = ledger.releases().rbegin(); it != ledger.releases().rend(); ++it) {
    table.rows.push_back({it->version, it->created_at, it->digest.substr(0, 19), EnvironmentStates(ledger, *it)});
  }
  context.output.Emit(releases, table);
  return 0;
}

int RunHistory(Host& host, CommandContext& context) {
  if (!context.args.Has("environment")) return LedgerHistory(host, context);
  OpenedTarget opened = Open(host, context, Use::kQuery);
  auto revisions = opened.target->History(opened.query).value();
  CompleteHistory(Ledger::Load(host.Project().ledger), opened.query.environment, revisions);
  nlohmann::json list = nlohmann::json::array();
  Table table{{"REVISION", "VERSION", "IMAGE", "CREATED", "CURRENT"}, {}};
  for (const auto& revision : revisions) {
    list.push_back({{"revision", revision.revision},
                    {"version", revision.version},
                    {"image", revision.image},
                    {"created_at", revision.created_at},
                    {"current", revision.current}});
    table.rows.push_back({revision.revision, revision.version, revision.image, revision.created_at, revision.current ? "*" : ""});
  }
  context.output.Emit(list, table);
  return 0;
}

int RunRollback(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  OpenedTarget opened = Open(host, context, Use::kChange);
  RollbackRequest request;
  request.target = opened.query;
  request.revision = context.args.GetOptional("revision");
  auto to = context.args.GetOptional("to");
  if (int(request.revision.has_value()) + int(to.has_value()) + int(context.args.Has("image")) > 1) {
    throw Error(ErrorCode::kUsage, "give one of --to VERSION, --revision N or --image IMAGE");
  }
  if (auto image = context.args.GetOptional("image")) {
    RequireDigest(*image);
    request.image = image;
    request.version = context.args.GetOptional("version");
  } else if (request.revision) {
    // The platform's revision: the platform rolls back to it when it knows
    // what ran then. When it does not (Micros keeps descriptors on the
    // machine that deployed), the committed ledger's record of that revision
    // is re-applied, so any checkout can roll back.
    Ledger ledger = Ledger::Load(host.Project().ledger);
    DeploymentRef recorded = FindRevision(ledger, opened.query.environment, *request.revision);
    auto platform_knows = [&] {
      Result<std::vector<TargetRevision>> history = opened.target->History(opened.query);
      if (!history.ok()) return false;
      const auto& known = history.value();
      return std::any_of(known.begin(), known.end(), [&](const TargetRevision& r) { return r.revision == *request.revision && !r.image.empty(); });
    };
    if (recorded && !recorded.deployment->spec.is_null() && !platform_knows()) {
      request.spec = recorded.deployment->spec;
      request.version = recorded.release->version;
      request.image = recorded.deployment->spec.value("image", recorded.release->ImageByDigest());
    }
  } else {
    // --to VERSION (its newest healthy deployment here), or by default what
    // was live here before the current deployment, from the ledger; with no
    // ledger, the platform's previous revision.
    const ProjectConfig& project = host.Project();
    Ledger ledger = Ledger::Load(project.ledger);
    DeploymentRef chosen;
    const LedgerRelease* release = nullptr;
    if (to) {
      release = ledger.Find(*to);
      if (release == nullptr) throw Error(ErrorCode::kNotFound, "version " + *to + " is not in " + project.ledger.filename().string());
      chosen = ledger.NewestHealthy(opened.query.environment, release->version);
    } else {
      chosen = ledger.PreviousLive(opened.query.environment);
      release = chosen.release;
    }
    if (release != nullptr) AimRollback(project, *opened.environment, *release, chosen, request);
  }
  request.timeout = Timeout(context, std::chrono::seconds(300));
  if (context.args.Flag("no-health")) {
    request.wait_healthy = false;
  } else {
    request.health = opened.environment->health;
  }
  if (context.args.Flag("dry-run")) {
    context.output.Emit({{"environment", opened.query.environment},
                         {"action", "would roll back"},
                         {"verify", request.image ? SigningPolicyAction(host.Project()).value_or("") : ""},
                         {"revision", request.revision.value_or("")},
                         {"image", request.image.value_or("")},
                         {"version", request.version.value_or("")},
                         {"recorded_spec", request.spec.has_value()}});
    return 0;
  }
  Ledger ledger = Ledger::Load(host.Project().ledger);
  DeployResult rolled = RollbackAndRecord(host.Project(), context.services, *opened.target, ledger, request);
  rolled.status.ThrowIfError();
  context.output.Emit(OutcomeJson(opened.query.environment, *rolled.outcome));
  if (!rolled.good) throw UnhealthyError(opened, *rolled.outcome);
  return 0;
}

int RunUrl(Host& host, CommandContext& context) {
  OpenedTarget opened = Open(host, context, Use::kQuery);
  TargetStatus status = opened.target->Status(opened.query).value();
  if (status.url.empty()) throw Error(ErrorCode::kNotFound, "environment '" + opened.query.environment + "' has no known URL");
  context.output.Line(status.url);
  return 0;
}

}  // namespace

void RegisterDeployCommands(Host& host) {
  using Kind = OptionSpec::Kind;
  const OptionSpec environment{.name = "environment", .help = "Environment from berth.yaml", .value_name = "ENV", .required = true, .position = 1};
  const OptionSpec timeout{.name = "timeout", .help = "How long to wait for the rollout and health (e.g. 90s, 5m)", .value_name = "DURATION"};
  const OptionSpec no_health{.name = "no-health", .kind = Kind::kFlag, .help = "Do not wait for the health check"};
  // For the signing policy's signature reads (berth.yaml signing.required).
  const std::vector<OptionSpec> registry_flags = RegistryFlagOptions();
  auto with_registry_flags = [&](std::vector<OptionSpec> options) {
    options.insert(options.end(), registry_flags.begin(), registry_flags.end());
    return options;
  };
  // Every target command can override the environment's target settings:
  // --set KEY=VALUE, and the flags the installed targets declare.
  const std::vector<OptionSpec> target_flags = {
      {.name = "set", .kind = Kind::kList, .help = "Override a target setting of berth.yaml for this run", .value_name = "KEY=VALUE"}};
  auto declared_flags = [&host] { return TargetFlagOptions(*host.plugins); };
  auto with_target_flags = [&](std::vector<OptionSpec> options) {
    options.insert(options.end(), target_flags.begin(), target_flags.end());
    return options;
  };
  host.table.Add({.path = "deploy",
                  .summary = "Deploy an image by digest to an environment and wait until it is healthy",
                  .options = with_target_flags(with_registry_flags({environment,
                              {.name = "image", .help = "Image by digest: REPOSITORY@sha256:... (default: --version's from the ledger)", .value_name = "IMAGE"},
                              {.name = "version", .help = "Release version (recorded in the ledger)", .value_name = "VERSION"},
                              timeout, no_health}))},
                 [&host](CommandContext& c) { return RunDeploy(host, c); }, declared_flags);
  host.table.Add({.path = "status", .summary = "Show what runs in an environment and whether it is ready", .options = with_target_flags({environment})},
                 [&host](CommandContext& c) { return RunStatus(host, c); }, declared_flags);
  OptionSpec optional_environment = environment;
  optional_environment.required = false;
  optional_environment.help = "Environment (default: the release ledger)";
  host.table.Add({.path = "history", .summary = "List releases from the ledger, or an environment's revisions",
                  .options = with_target_flags({optional_environment})},
                 [&host](CommandContext& c) { return RunHistory(host, c); }, declared_flags);
  host.table.Add({.path = "rollback",
                  .summary = "Roll back: to --to VERSION, --revision N, or what was live there before the current deployment",
                  .options = with_target_flags(with_registry_flags({environment,
                              {.name = "to", .help = "A version from the release ledger", .value_name = "VERSION"},
                              {.name = "revision", .help = "The platform revision to return to", .value_name = "N"},
                              {.name = "image", .help = "Or an image by digest (from the release ledger)", .value_name = "IMAGE"},
                              {.name = "version", .help = "The version of --image", .value_name = "VERSION"},
                              timeout, no_health}))},
                 [&host](CommandContext& c) { return RunRollback(host, c); }, declared_flags);
  host.table.Add({.path = "url", .summary = "Print an environment's service URL", .options = with_target_flags({environment})},
                 [&host](CommandContext& c) { return RunUrl(host, c); }, declared_flags);
}

}  // namespace berth::host
