#include "micros_target.h"

#include <algorithm>

#include "berth/oci/host_registry.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/health_poll.h"
#include "berth/util/log.h"
#include "berth/util/progress.h"
#include "berth/util/text.h"
#include "descriptor.h"
#include "descriptor_images.h"

namespace berth::micros {
namespace fs = std::filesystem;
namespace {

constexpr char kDefaultHealthPath[] = "/api/health";

std::string Text(const nlohmann::json& object, const char* key) {
  if (!object.contains(key) || object[key].is_null()) return "";
  return object[key].is_string() ? object[key].get<std::string>() : object[key].dump();
}

// berth.yaml's health.url, else the service URL plus health.path (when set
// in berth.yaml) or the target's health_path.
std::string HealthUrl(const HealthCheck& health, const MicrosSettings& settings, const std::string& service_url) {
  if (!health.url.empty()) return health.url;
  if (service_url.empty()) throw Error(ErrorCode::kDeploy, "atlas reported no URL for " + settings.service + "; set health.url in berth.yaml");
  std::string path = health.path != kDefaultHealthPath ? health.path : settings.health_path;
  std::string base = service_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + (path.empty() || path[0] != '/' ? "/" : "") + path;
}

// Micros services answer on /api/health by convention, so berth waits for it
// even without a health block; only --no-health turns the wait off.
std::optional<HealthCheck> EffectiveHealth(const std::optional<HealthCheck>& configured, bool wait_healthy) {
  if (!wait_healthy) return std::nullopt;
  return configured ? configured : std::optional<HealthCheck>(HealthCheck{});
}

// What a deploy applied, for the ledger: the descriptor and where its health
// was asked (a target setting, not part of the descriptor).
nlohmann::json SpecOf(const MicrosSettings& settings, const std::string& descriptor, const std::string& image,
                      const std::string& version) {
  return {{"descriptor", descriptor}, {"image", image}, {"version", version}, {"health_path", settings.health_path}};
}

}  // namespace

RenderedDescriptor RenderFor(const MicrosSettings& settings, const fs::path& project_dir, const std::string& image,
                             const std::string& version) {
  DescriptorInputs inputs;
  inputs.service = settings.service;
  inputs.env = settings.env;
  inputs.version = version;
  SplitImage(image, inputs);
  RenderedDescriptor rendered;
  std::string label;
  if (auto path = settings.TemplateIn(project_dir)) {
    rendered.source = path->string();
    label = path->filename().string();
    std::string template_text = ReadFile(*path);
    for (const auto& warning : HardCodedTags(template_text, label)) log::Warn("{}", warning);
    rendered.text = RenderTemplate(template_text, label, inputs);
  } else {
    rendered.source = "inline";
    label = "descriptor (inline, from berth.yaml)";
    rendered.text = GenerateDescriptor(settings, inputs);
  }
  auto problems = ValidateDescriptor(rendered.text);
  int errors = 0;
  for (const auto& problem : problems) {
    if (problem.error) {
      ++errors;
      log::Error("{}", FormatProblem(label, problem));
    } else {
      log::Warn("{}", FormatProblem(label, problem, false));
    }
  }
  if (errors > 0) {
    throw Error(ErrorCode::kInvalidInput, label + ": the rendered descriptor has " + std::to_string(errors) + " error" +
                                              (errors == 1 ? "" : "s") + " (listed above); nothing was deployed");
  }
  rendered.sha256 = Sha256Hex(rendered.text);
  return rendered;
}

MicrosTarget::MicrosTarget(nlohmann::json settings) : settings_(std::move(settings)) {
  // Fail on a typo in berth.yaml before anything runs.
  MicrosSettings::Parse(settings_, "berth", "berth");
}

MicrosTarget::Session MicrosTarget::Open(const TargetQuery& query) const {
  const nlohmann::json& json = query.settings.is_object() && !query.settings.empty() ? query.settings : settings_;
  MicrosSettings settings = MicrosSettings::Parse(json, query.service, query.environment);
  AtlasCli atlas(settings.atlas, settings.atlas_timeout);
  DeployRecords records(settings.service, settings.env);
  return Session{std::move(settings), std::move(atlas), std::move(records), query.project_dir, query.environment};
}

std::optional<nlohmann::json> MicrosTarget::Show(Session& session) const {
  const auto& s = session.settings;
  Result<nlohmann::json> shown = session.atlas.Try({"service", "show", "--service", s.service, "--env", s.env});
  if (shown.ok()) return std::move(shown).value();
  if (SaysNotFound(shown.status().message())) return std::nullopt;
  throw Error(ErrorCode::kFailure, "atlas micros service show failed: " + shown.status().message());
}

std::vector<std::string> MicrosTarget::MissingStashKeys(Session& session, const std::string& descriptor) const {
  const auto& s = session.settings;
  std::vector<std::string> wanted = StashKeysReferenced(descriptor, s.service);
  if (wanted.empty()) return {};
  std::vector<std::string> present;
  auto listed = session.atlas.Try({"stash", "list", "-s", s.service, "-e", s.env});
  if (listed.ok() && listed.value().contains("keys") && listed.value()["keys"].is_array()) {
    for (const auto& key : listed.value()["keys"]) {
      if (key.is_string()) present.push_back(key.get<std::string>());
    }
  } else if (!listed.ok() && !SaysNotFound(listed.status().message())) {
    throw Error(ErrorCode::kFailure, "atlas micros stash list failed: " + listed.status().message());
  }
  std::vector<std::string> missing;
  for (const auto& key : wanted) {
    if (std::find(present.begin(), present.end(), key) == present.end()) missing.push_back(key);
  }
  return missing;
}

DeployOutcome MicrosTarget::Apply(Session& session, const std::string& descriptor, const std::string& image,
                                  const std::string& version, const std::optional<HealthCheck>& health,
                                  std::chrono::seconds timeout) const {
  const auto& s = session.settings;
  // Micros pulls the descriptor's image by tag; berth records a digest. The
  // two must agree before anything changes, or the ledger would say one
  // image ran while Micros ran another.
  DescriptorInputs recorded;
  SplitImage(image, recorded);
  CheckDescriptorImages(descriptor, "the service descriptor", recorded.digest, [](const std::string& reference) -> std::optional<std::string> {
    auto found = oci::HostRegistry().Head(reference);
    if (!found) return std::nullopt;
    return found->digest.str();
  });
  const bool exists = Show(session).has_value();
  if (!exists && !s.create_service) {
    throw Error(ErrorCode::kNotFound, "Micros service '" + s.service + "' does not exist (and target.create_service is false)");
  }
  // The platform refuses a descriptor whose stash references are not set;
  // saying which ones before anything changes spares a failed deployment.
  auto missing = MissingStashKeys(session, descriptor);
  if (!missing.empty()) {
    throw Error(ErrorCode::kNotFound, "the descriptor refers to stash keys not set for " + s.service + " in " + s.env + ": " +
                                          Join(missing, ", ") + " (set them first: berth secrets set|sync " +
                                          session.environment + ")");
  }
  if (!exists) {
    std::vector<std::string> create = {"service", "create", "--service", s.service};
    if (!s.service_discovery) create.push_back("--no-sd");
    session.atlas.Run(create, ErrorCode::kDeploy);
    log::Info("created Micros service {}", s.service);
  }
  nlohmann::json deployed;
  {
    // Not secret (stash values stay in the stash), but removed all the same.
    TempDir dir("berth-micros");
    fs::path file = dir.path() / "service-descriptor.yml";
    WriteFileAtomic(file, descriptor, 0644);
    deployed = session.atlas.Run({"service", "deploy", "--service", s.service, "--env", s.env, "--file", file.string()},
                                 ErrorCode::kDeploy, timeout);
  }
  std::string sha = session.records.Save({descriptor, image, version});
  auto shown = Show(session);
  if (!shown) throw Error(ErrorCode::kDeploy, "Micros service '" + s.service + "' vanished after the deploy");

  DeployOutcome outcome;
  outcome.revision = Text(*shown, "version");
  if (outcome.revision.empty()) outcome.revision = Text(deployed, "version");
  outcome.url = Text(*shown, "url");
  if (outcome.url.empty()) outcome.url = Text(deployed, "url");
  outcome.details = {{"service", s.service},
                     {"env", s.env},
                     {"deploymentId", Text(deployed, "deploymentId")},
                     {"descriptorSha256", sha},
                     {"image", image},
                     {"version", version},
                     {"created", !exists}};
  log::Info("deployed {} to Micros {} in {} (version {}, {})", image, s.service, s.env, outcome.revision, outcome.url);
  if (!health) {
    outcome.details["health"] = "not checked";
    return outcome;
  }
  std::string url = HealthUrl(*health, s, outcome.url);
  HealthPoll poll = HealthPoll::For(*health, url);
  poll.progress = [](const std::string& line) { ReportProgress(line); };
  HealthVerdict verdict = PollHealth(poll);
  outcome.healthy = verdict.healthy;
  outcome.health_checked = true;
  outcome.details["health"] = {{"url", url}, {"healthy", verdict.healthy}, {"attempts", verdict.attempts},
                               {"last", verdict.last.Describe()}};
  if (!verdict.healthy) outcome.problem = verdict.Problem(poll);
  return outcome;
}

Result<DeployPlan> MicrosTarget::Plan(const DeployRequest& request) noexcept {
  return CaptureResult([&] {
    Session session = Open(request.target);
    const auto& s = session.settings;
    RenderedDescriptor rendered = RenderFor(s, session.project_dir, request.image, request.version);
    // A dry run still shows the descriptor when atlas cannot be asked (not
    // installed, not logged in): only the live state is then unknown.
    std::optional<nlohmann::json> shown;
    std::string unknown;
    try {
      shown = Show(session);
    } catch (const Error& error) {
      unknown = error.what();
      log::Warn("micros: cannot ask atlas about {} in {} ({}); showing the descriptor only", s.service, s.env, unknown);
    }
    DeployPlan plan;
    if (!unknown.empty()) {
      plan.actions.push_back("create Micros service " + s.service + " if it does not exist" +
                             (s.service_discovery ? "" : " (--no-sd)"));
      plan.diff = "unknown: atlas was not asked (" + unknown + ")";
    } else if (!shown) {
      plan.actions.push_back("create Micros service " + s.service + (s.service_discovery ? "" : " (--no-sd)"));
    }
    plan.actions.push_back("deploy " + request.image + " to " + s.service + " in " + s.env + " (descriptor sha256:" +
                           rendered.sha256.substr(0, 12) + " from " + rendered.source + ")");
    // What would run, by path: a dry run is where to read it.
    plan.actions.push_back("run " + session.atlas.Describe() + " micros service deploy --service " + s.service + " --env " +
                           s.env + " --file service-descriptor.yml");
    if (auto health = EffectiveHealth(request.health, request.wait_healthy)) {
      std::string url = health->url.empty()
                            ? (shown && !Text(*shown, "url").empty() ? HealthUrl(*health, s, Text(*shown, "url"))
                                                                      : "the service URL + " + (health->path != kDefaultHealthPath ? health->path : s.health_path))
                            : health->url;
      plan.actions.push_back("wait up to " + std::to_string(health->timeout.count()) + "s for " + url + " to answer 2xx");
    }
    if (auto missing = unknown.empty() ? MissingStashKeys(session, rendered.text) : std::vector<std::string>{};
        !missing.empty()) {
      plan.actions.push_back("stop: stash keys not set for " + s.service + " in " + s.env + ": " + Join(missing, ", ") +
                             " (the deploy would fail)");
    }
    plan.documents.push_back({{"name", "service-descriptor.yml"},
                              {"source", rendered.source},
                              {"sha256", rendered.sha256},
                              {"content", rendered.text}});
    if (shown && Text(*shown, "status") == "DEPLOYED") {
      std::string live = Text(*shown, "descriptorSha256");
      plan.diff = live == rendered.sha256
                      ? "the descriptor is the one live in " + s.env + " (version " + Text(*shown, "version") + ")"
                      : "the descriptor differs from the live one (version " + Text(*shown, "version") + ", sha256:" +
                            live.substr(0, 12) + " -> sha256:" + rendered.sha256.substr(0, 12) + ")";
    }
    return plan;
  });
}

Result<DeployOutcome> MicrosTarget::Deploy(const DeployRequest& request) noexcept {
  return CaptureResult([&] {
    Session session = Open(request.target);
    RenderedDescriptor rendered = RenderFor(session.settings, session.project_dir, request.image, request.version);
    DeployOutcome outcome = Apply(session, rendered.text, request.image, request.version,
                                  EffectiveHealth(request.health, request.wait_healthy), request.timeout);
    outcome.spec = SpecOf(session.settings, rendered.text, request.image, request.version);
    return outcome;
  });
}

Result<TargetStatus> MicrosTarget::Status(const TargetQuery& query) noexcept {
  return CaptureResult([&] {
    Session session = Open(query);
    const auto& s = session.settings;
    TargetStatus status;
    auto shown = Show(session);
    if (!shown) {
      status.message = "Micros service '" + s.service + "' does not exist";
      return status;
    }
    status.details = {{"service", s.service},
                      {"env", s.env},
                      {"status", Text(*shown, "status")},
                      {"deploymentId", Text(*shown, "deploymentId")},
                      {"deployedAt", Text(*shown, "deployedAt")},
                      {"descriptorSha256", Text(*shown, "descriptorSha256")}};
    if (Text(*shown, "status") != "DEPLOYED") {
      status.message = "not deployed to " + s.env;
      return status;
    }
    status.ready = true;
    status.revision = Text(*shown, "version");
    status.url = Text(*shown, "url");
    if (auto record = session.records.Find(Text(*shown, "descriptorSha256"))) {
      status.image = record->image;
      status.details["version"] = record->version;
      status.version = record->version;
    }
    status.message = "version " + status.revision + " (" + Text(*shown, "deploymentId") + ") deployed at " +
                     Text(*shown, "deployedAt");
    return status;
  });
}

Result<std::vector<TargetRevision>> MicrosTarget::History(const TargetQuery& query) noexcept {
  return CaptureResult([&] {
    Session session = Open(query);
    std::vector<TargetRevision> revisions;
    auto shown = Show(session);
    if (!shown || !shown->contains("history") || !(*shown)["history"].is_array()) return revisions;
    const std::string current = Text(*shown, "version");
    for (const auto& entry : (*shown)["history"]) {
      TargetRevision revision;
      revision.revision = Text(entry, "version");
      revision.created_at = Text(entry, "deployedAt");
      revision.current = revision.revision == current;
      if (auto record = session.records.Find(Text(entry, "descriptorSha256"))) {
        revision.image = record->image;
        revision.version = record->version;
      }
      revisions.push_back(std::move(revision));
    }
    return revisions;
  });
}

Result<DeployOutcome> MicrosTarget::Rollback(const RollbackRequest& request) noexcept {
  return CaptureResult([&] {
    Session session = Open(request.target);
    const auto& s = session.settings;
    if (request.spec) {
      // The descriptor a deploy recorded, as it was: today's berth.yaml may be
      // what broke. Health is asked where that deploy asked it.
      const nlohmann::json& spec = *request.spec;
      const std::string descriptor = spec.is_object() ? spec.value("descriptor", "") : "";
      if (descriptor.empty()) {
        throw Error(ErrorCode::kInvalidInput, "micros: the recorded specification has no descriptor (expected {\"descriptor\": \"...\"})");
      }
      const std::string image = spec.value("image", request.image.value_or(""));
      const std::string version = spec.value("version", request.version.value_or(""));
      if (spec.contains("health_path") && spec["health_path"].is_string()) session.settings.health_path = spec["health_path"];
      log::Info("redeploying the recorded descriptor of {} ({}) to {} in {}", version, image, s.service, s.env);
      DeployOutcome outcome = Apply(session, descriptor, image, version, EffectiveHealth(request.health, request.wait_healthy), request.timeout);
      outcome.details["rollback"] = {{"image", image}, {"version", version}, {"recorded_spec", true}};
      outcome.spec = SpecOf(session.settings, descriptor, image, version);
      return outcome;
    }
    if (request.image) {
      RenderedDescriptor rendered = RenderFor(s, session.project_dir, *request.image, request.version.value_or(""));
      DeployOutcome outcome = Apply(session, rendered.text, *request.image, request.version.value_or(""),
                                    EffectiveHealth(request.health, request.wait_healthy), request.timeout);
      outcome.details["rollback"] = {{"image", *request.image}, {"version", request.version.value_or("")}};
      outcome.spec = SpecOf(s, rendered.text, *request.image, request.version.value_or(""));
      return outcome;
    }
    auto shown = Show(session);
    if (!shown) throw Error(ErrorCode::kNotFound, "Micros service '" + s.service + "' does not exist; nothing to roll back");
    const nlohmann::json history = shown->value("history", nlohmann::json::array());
    const std::string current = Text(*shown, "version");
    std::optional<nlohmann::json> chosen;
    if (request.revision) {
      for (const auto& entry : history) {
        if (Text(entry, "version") == *request.revision) chosen = entry;
      }
      if (!chosen) {
        throw Error(ErrorCode::kNotFound, "revision " + *request.revision + " is not in the history of " + s.service + " in " +
                                              s.env + " (see berth history)");
      }
      if (*request.revision == current) {
        throw Error(ErrorCode::kInvalidInput, "revision " + current + " is the one live in " + s.env + "; nothing to roll back");
      }
    } else {
      for (size_t i = 1; i < history.size(); ++i) {
        if (Text(history[i], "version") == current) chosen = history[i - 1];
      }
      if (!chosen) throw Error(ErrorCode::kNotFound, s.service + " in " + s.env + " has no revision before " + current);
    }
    const std::string revision = Text(*chosen, "version");
    const std::string sha = Text(*chosen, "descriptorSha256");
    auto record = session.records.Find(sha);
    if (!record) {
      throw Error(ErrorCode::kNotFound,
                  "revision " + revision + " (descriptor sha256:" + sha.substr(0, 12) + ") was not deployed from this machine "
                  "and atlas does not return old descriptors; roll back by image instead: berth rollback " +
                      request.target.environment + " --image REPOSITORY@sha256:... --version VERSION");
    }
    log::Info("rolling {} in {} back to revision {} ({})", s.service, s.env, revision, record->image);
    DeployOutcome outcome = Apply(session, record->descriptor, record->image, record->version,
                                  EffectiveHealth(request.health, request.wait_healthy), request.timeout);
    outcome.details["rollback"] = {{"revision", revision}, {"image", record->image}, {"version", record->version}};
    outcome.spec = SpecOf(s, record->descriptor, record->image, record->version);
    return outcome;
  });
}

}  // namespace berth::micros
