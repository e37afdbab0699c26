#include "k8s_target.h"


#include "apply.h"
#include "berth/error.h"
#include "berth/util/health_poll.h"
#include "berth/util/log.h"
#include "berth/util/progress.h"
#include "history.h"
#include "manifests.h"
#include "namespace_setup.h"
#include "object_diff.h"
#include "pull_secret.h"
#include "rollout.h"

namespace berth::k8s {

struct K8sTarget::Context {
  TargetSettings settings;
  Cluster cluster;
  std::string environment;
  std::string service;   // berth.yaml's service
  std::string name;      // The Deployment's
  std::string container;

  std::string DeploymentPath() const { return k8s::DeploymentPath(cluster.namespace_name, name); }
  std::string Where() const {
    return "namespace \"" + cluster.namespace_name + "\" (" + cluster.client->access().source + ")";
  }
};

namespace {

RenderInput InputFor(const TargetSettings& settings, const std::string& service, const std::string& namespace_name,
                     const std::string& image, const std::string& version, const std::optional<HealthCheck>& health,
                     const std::string& change_cause) {
  RenderInput input;
  input.settings = &settings;
  input.service = service;
  input.namespace_name = namespace_name;
  input.image = image;
  input.version = version;
  input.health = health;
  input.change_cause = change_cause;
  return input;
}

std::string ChangeCause(const std::string& verb, const std::string& version, const std::string& image) {
  return "berth " + verb + (version.empty() ? "" : " " + version) + " (" + image + ")";
}

const nlohmann::json& Field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  return object.is_object() && object.contains(key) && object[key].is_object() ? object[key] : kEmpty;
}

std::string AnnotationOf(const nlohmann::json& object, const char* key) {
  const nlohmann::json& annotations = Field(Field(object, "metadata"), "annotations");
  auto it = annotations.find(key);
  return it != annotations.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string PortSuffix(const std::string& scheme, long port) {
  if ((scheme == "http" && port == 80) || (scheme == "https" && port == 443) || port == 0) return "";
  return ":" + std::to_string(port);
}

// The URL a person (or a health check) reaches the service at: the `url`
// setting, else a load balancer's address, else the in-cluster DNS name.
std::string ServiceUrl(const TargetSettings& settings, const std::optional<nlohmann::json>& service, bool reachable_only) {
  if (!settings.url.empty()) return settings.url;
  if (!service) return "";
  const nlohmann::json& spec = Field(*service, "spec");
  long port = 0;
  if (spec.contains("ports") && !spec["ports"].empty()) port = spec["ports"][0].value("port", 0L);
  std::string scheme = port == 443 ? "https" : "http";
  const nlohmann::json& balancer = Field(Field(*service, "status"), "loadBalancer");
  if (balancer.contains("ingress") && !balancer["ingress"].empty()) {
    const nlohmann::json& ingress = balancer["ingress"][0];
    std::string host = ingress.value("hostname", ingress.value("ip", ""));
    if (!host.empty()) return scheme + "://" + host + PortSuffix(scheme, port);
  }
  if (reachable_only) return "";
  const nlohmann::json& metadata = Field(*service, "metadata");
  return scheme + "://" + metadata.value("name", "") + "." + metadata.value("namespace", "") + ".svc.cluster.local" +
         PortSuffix(scheme, port);
}

std::string JoinUrl(const std::string& base, const std::string& path) {
  if (path.empty()) return base;
  if (!base.empty() && base.back() == '/' && path.front() == '/') return base + path.substr(1);
  if (!base.empty() && base.back() != '/' && path.front() != '/') return base + "/" + path;
  return base + path;
}

nlohmann::json Conditions(const nlohmann::json& deployment) {
  nlohmann::json out = nlohmann::json::array();
  const nlohmann::json& status = Field(deployment, "status");
  if (!status.contains("conditions")) return out;
  for (const auto& condition : status["conditions"]) {
    out.push_back({{"type", condition.value("type", "")},
                   {"status", condition.value("status", "")},
                   {"reason", condition.value("reason", "")},
                   {"message", condition.value("message", "")}});
  }
  return out;
}

long Count(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<long>() : 0;
}

// Where the plan connected, and what it ran for a token: the same as the
// deploy would, and a dry run is where to read them.
void AddConnection(const KubeAccess& access, DeployPlan& plan) {
  std::vector<std::string> lines = {"connect to " + access.server + " (" + access.source + ")"};
  if (access.exec) {
    std::string command = access.exec->command;
    for (const auto& arg : access.exec->args) command += " " + arg;
    lines.push_back("run " + command + " for a token (the kubeconfig's exec credential plugin)");
  }
  plan.actions.insert(plan.actions.begin(), lines.begin(), lines.end());
}

// A plan names berth's pull secret and what would happen to it, never its value.
std::string PullSecretAction(const std::string& verb, const PullSecret& secret) {
  return verb + " " + secret.Describe() + " (" + kDockerConfigJsonType + " for " + secret.registry +
         " from berth's credential; value not shown)";
}

}  // namespace

K8sTarget::K8sTarget(const nlohmann::json& settings) : settings_(TargetSettings::Parse(settings)) {}

void K8sTarget::Progress(const std::string& line) const {
  if (progress_) {
    progress_(line);
  } else {
    ReportProgress(line);
  }
}

K8sTarget::Context K8sTarget::Open(const TargetQuery& query) {
  Context context;
  context.settings = query.settings.is_object() && !query.settings.empty() ? TargetSettings::Parse(query.settings) : settings_;
  if (query.service.empty()) throw Error(ErrorCode::kInvalidInput, "k8s target: berth.yaml names no service");
  context.cluster = OpenCluster(context.settings.connection);
  context.environment = query.environment;
  context.service = query.service;
  context.name = ObjectName(context.settings, query.service);
  context.container = context.settings.container.empty() ? context.name : context.settings.container;
  return context;
}

// The manifests alone, when the cluster cannot be asked what would change:
// a dry run should still show what berth would apply (as kubectl's
// --dry-run=client does), and say why the changes are unknown.
DeployPlan K8sTarget::OfflinePlan(const DeployRequest& request, const std::string& why) const {
  TargetSettings settings =
      request.target.settings.is_object() && !request.target.settings.empty() ? TargetSettings::Parse(request.target.settings) : settings_;
  if (request.target.service.empty()) throw Error(ErrorCode::kInvalidInput, "k8s target: berth.yaml names no service");
  std::string namespace_name = settings.connection.namespace_name.empty() ? "default" : settings.connection.namespace_name;
  RenderInput input = InputFor(settings, request.target.service, namespace_name, request.image, request.version,
                               request.health, ChangeCause("deploy", request.version, request.image));
  auto pull_secret = PreparePullSecret(settings, ObjectName(settings, request.target.service), namespace_name, request.image,
                                       credentials_);
  if (pull_secret) input.pull_secret = pull_secret->name;
  std::vector<nlohmann::json> objects;
  if (auto service = RenderService(input)) objects.push_back(*service);
  objects.push_back(RenderDeployment(input));
  DeployPlan plan;
  if (settings.create_namespace) plan.actions.push_back("create Namespace " + namespace_name + " unless it exists");
  if (pull_secret) plan.actions.push_back(PullSecretAction("create or update", *pull_secret));
  for (const auto& object : objects) {
    plan.documents.push_back(object);
    plan.actions.push_back("apply " + Describe(object) + " (server-side, field manager berth)");
  }
  plan.diff = "unknown: the cluster was not asked (" + why + ")";
  log::Warn("k8s: cannot ask the cluster what would change ({}); showing the manifests only", why);
  return plan;
}

Result<DeployPlan> K8sTarget::Plan(const DeployRequest& request) noexcept {
  return CaptureResult([&] {
    Context context;
    NamespaceState namespace_state = NamespaceState::kUnknown;
    try {
      context = Open(request.target);
      namespace_state = NamespaceStateOf(*context.cluster.client, context.cluster.namespace_name);
      context.cluster.client->GetIfExists(context.DeploymentPath());
    } catch (const Error& error) {
      return OfflinePlan(request, error.what());
    }
    KubeClient& client = *context.cluster.client;
    const std::string& namespace_name = context.cluster.namespace_name;
    bool new_namespace = namespace_state == NamespaceState::kMissing;
    if (new_namespace && !context.settings.create_namespace) throw MissingNamespace(client, namespace_name);
    RenderInput input = InputFor(context.settings, context.service, namespace_name, request.image, request.version,
                                 request.health, ChangeCause("deploy", request.version, request.image));
    auto pull_secret = PreparePullSecret(context.settings, context.name, namespace_name, request.image, credentials_);
    if (pull_secret) input.pull_secret = pull_secret->name;
    std::vector<nlohmann::json> objects;
    if (auto service = RenderService(input)) objects.push_back(*service);
    objects.push_back(RenderDeployment(input));
    DeployPlan plan;
    if (new_namespace) {
      plan.actions.push_back("create Namespace " + namespace_name);
      plan.diff += "Namespace " + namespace_name + ": would be created\n";
    }
    if (pull_secret) {
      // Compared here, not by a server dry run: the credential does not
      // leave berth for a plan.
      PullSecretChange change = new_namespace ? PullSecretChange::kCreate
                                              : CompareWithLive(*pull_secret, client.GetIfExists(PathOf(pull_secret->object)));
      plan.actions.push_back(PullSecretAction(ChangeVerb(change), *pull_secret));
      plan.diff += pull_secret->Describe() + (change == PullSecretChange::kCreate   ? ": would be created\n"
                                              : change == PullSecretChange::kUpdate ? ": would be updated (the credential or its labels differ)\n"
                                                                                    : ": no changes\n");
    }
    ApplyOptions options;
    options.dry_run = true;
    options.force = context.settings.force_conflicts;
    for (const auto& object : objects) {
      plan.documents.push_back(object);
      std::string what = Describe(object);
      // Nothing exists in a namespace that does not, and the server cannot
      // dry-run writes into it.
      std::optional<nlohmann::json> live;
      nlohmann::json result;
      if (!new_namespace) {
        live = client.GetIfExists(PathOf(object));
        result = ServerSideApply(client, object, options);
      }
      if (!live) {
        plan.actions.push_back("create " + what);
        plan.diff += what + ": would be created\n";
        continue;
      }
      auto changes = DiffObjects(Comparable(*live), Comparable(result));
      if (changes.empty()) {
        plan.actions.push_back("unchanged " + what);
        plan.diff += what + ": no changes\n";
        continue;
      }
      bool rollout = false;
      for (const auto& change : changes) rollout |= change.path.rfind("spec.template", 0) == 0;
      plan.actions.push_back("update " + what + " (" + std::to_string(changes.size()) + " field" +
                             (changes.size() == 1 ? "" : "s") + (rollout ? ", new rollout" : "") + ")");
      plan.diff += what + ":\n" + FormatChanges(changes);
    }
    AddConnection(client.access(), plan);
    // The host's table view lists the actions; the changes are for a person too.
    std::string diff = plan.diff;
    if (!diff.empty() && diff.back() == '\n') diff.pop_back();
    Progress("dry run, nothing applied; what would change:\n" + diff);
    return plan;
  });
}

DeployOutcome K8sTarget::ApplyAndWait(Context& context, const nlohmann::json& deployment, bool force,
                                      const std::optional<HealthCheck>& health, std::chrono::seconds timeout) {
  KubeClient& client = *context.cluster.client;
  ApplyOptions options;
  options.force = force;
  nlohmann::json applied = ServerSideApply(client, deployment, options);
  Progress("applied " + Describe(deployment) + " (generation " +
           std::to_string(Count(Field(applied, "metadata"), "generation")) + ")");
  RolloutWait wait;
  wait.timeout = timeout;
  wait.poll = poll_;
  wait.progress = [this](const std::string& line) { Progress(line); };
  nlohmann::json done;
  try {
    done = WaitForRollout(client, context.cluster.namespace_name, context.name, wait);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kDeploy) throw;
    throw Error(ErrorCode::kDeploy, std::string(e.what()) + "; the previous pods keep serving: see `berth status " +
                                        context.environment + "`, or roll back with `berth rollback " + context.environment + "`");
  }

  DeployOutcome outcome;
  outcome.revision = std::to_string(RevisionOf(done));
  std::optional<nlohmann::json> service;
  if (context.settings.service.enabled && context.settings.url.empty()) {
    std::string service_name = context.settings.service.name.empty() ? context.name : context.settings.service.name;
    service = client.GetIfExists(ServicePath(context.cluster.namespace_name, service_name));
  }
  outcome.url = ServiceUrl(context.settings, service, false);
  outcome.healthy = true;
  if (health) {
    std::string base = health->url.empty() ? ServiceUrl(context.settings, service, true) : "";
    std::string url = !health->url.empty() ? health->url : base.empty() ? "" : JoinUrl(base, health->path);
    if (url.empty()) {
      log::Info("k8s: no health URL reachable from here; the readiness probe on {} gated the rollout", health->path);
    } else {
      HealthPoll poll = HealthPoll::For(*health, url);
      poll.progress = [this](const std::string& line) { Progress(line); };
      outcome.details["health_url"] = url;
      outcome.health_checked = true;
      // Rolled out but not healthy is an outcome, not an error: the host
      // records it as unhealthy and decides about rolling back.
      HealthVerdict verdict = PollHealth(poll);
      outcome.healthy = verdict.healthy;
      if (!verdict.healthy) outcome.problem = verdict.Problem(poll);
    }
  }
  const nlohmann::json& status = Field(done, "status");
  outcome.details["namespace"] = context.cluster.namespace_name;
  outcome.details["deployment"] = context.name;
  outcome.details["image"] = TemplateImage(Field(Field(done, "spec"), "template"), context.container);
  outcome.details["version"] = AnnotationOf(done, kVersionAnnotation);
  outcome.details["replicas"] = Count(Field(done, "spec"), "replicas");
  outcome.details["available_replicas"] = Count(status, "availableReplicas");
  return outcome;
}

std::string K8sTarget::SetUpPullSecret(Context& context, const std::string& image) {
  auto secret = PreparePullSecret(context.settings, context.name, context.cluster.namespace_name, image, credentials_);
  if (!secret) return "";
  PullSecretChange change = ApplyPullSecret(*context.cluster.client, *secret);
  std::string what = secret->Describe() + " (image pull secret for " + secret->registry + ")";
  Progress(change == PullSecretChange::kCreate   ? "created " + what
           : change == PullSecretChange::kUpdate ? "updated " + what
                                                 : what + " unchanged");
  return secret->name;
}

Result<DeployOutcome> K8sTarget::Deploy(const DeployRequest& request) noexcept {
  return CaptureResult([&] {
    Context context = Open(request.target);
    KubeClient& client = *context.cluster.client;
    if (EnsureNamespace(client, context.cluster.namespace_name, context.settings.create_namespace)) {
      Progress("created namespace \"" + context.cluster.namespace_name + "\"");
    }
    RenderInput input = InputFor(context.settings, context.service, context.cluster.namespace_name, request.image,
                                 request.version, request.health, ChangeCause("deploy", request.version, request.image));
    input.pull_secret = SetUpPullSecret(context, request.image);
    nlohmann::json deployment = RenderDeployment(input);
    // A missing Secret would only show as pods that never start; say so now.
    for (const auto& ref : context.settings.secret_refs) {
      if (ref.optional) continue;
      KubeResponse response = client.Send("GET", SecretPath(context.cluster.namespace_name, ref.secret));
      if (response.status == 404) {
        log::Warn("k8s: Secret \"{}\" does not exist in namespace \"{}\"; pods that need {} will not start until it does",
                  ref.secret, context.cluster.namespace_name, ref.env);
      }
    }
    nlohmann::json documents = nlohmann::json::array();
    if (auto service = RenderService(input)) {
      ApplyOptions options;
      options.force = context.settings.force_conflicts;
      ServerSideApply(client, *service, options);
      Progress("applied " + Describe(*service));
      documents.push_back(*service);
    }
    documents.push_back(deployment);
    DeployOutcome outcome = ApplyAndWait(context, deployment, context.settings.force_conflicts, request.health, request.timeout);
    outcome.details["version"] = request.version;
    outcome.spec = {{"documents", documents}};
    return outcome;
  });
}

Result<TargetStatus> K8sTarget::Status(const TargetQuery& query) noexcept {
  return CaptureResult([&] {
    Context context = Open(query);
    KubeClient& client = *context.cluster.client;
    auto deployment = client.GetIfExists(context.DeploymentPath());
    if (!deployment) {
      throw Error(ErrorCode::kNotFound, "deployment \"" + context.name + "\" does not exist in " + context.Where() +
                                            "; deploy it with `berth deploy " + context.environment + "`");
    }
    RolloutState state = EvaluateRollout(*deployment);
    const nlohmann::json& status = Field(*deployment, "status");
    long replicas = Count(Field(*deployment, "spec"), "replicas");
    long available = Count(status, "availableReplicas");
    TargetStatus result;
    result.image = TemplateImage(Field(Field(*deployment, "spec"), "template"), context.container);
    result.revision = std::to_string(RevisionOf(*deployment));
    result.version = AnnotationOf(*deployment, kVersionAnnotation);
    result.ready = state.done;
    result.message = state.done ? std::to_string(available) + "/" + std::to_string(replicas) + " replicas available"
                                : state.message;
    std::optional<nlohmann::json> service;
    if (context.settings.service.enabled && context.settings.url.empty()) {
      std::string service_name = context.settings.service.name.empty() ? context.name : context.settings.service.name;
      service = client.GetIfExists(ServicePath(context.cluster.namespace_name, service_name));
    }
    result.url = ServiceUrl(context.settings, service, false);
    result.details = {{"namespace", context.cluster.namespace_name},
                      {"deployment", context.name},
                      {"version", AnnotationOf(*deployment, kVersionAnnotation)},
                      {"replicas", replicas},
                      {"updated_replicas", Count(status, "updatedReplicas")},
                      {"ready_replicas", Count(status, "readyReplicas")},
                      {"available_replicas", available},
                      {"generation", Count(Field(*deployment, "metadata"), "generation")},
                      {"observed_generation", Count(status, "observedGeneration")},
                      {"rollout", state.message},
                      {"failed", state.failed},
                      {"conditions", Conditions(*deployment)}};
    return result;
  });
}

Result<std::vector<TargetRevision>> K8sTarget::History(const TargetQuery& query) noexcept {
  return CaptureResult([&] {
    Context context = Open(query);
    auto deployment = context.cluster.client->GetIfExists(context.DeploymentPath());
    if (!deployment) {
      throw Error(ErrorCode::kNotFound, "deployment \"" + context.name + "\" does not exist in " + context.Where());
    }
    long current = RevisionOf(*deployment);
    std::vector<TargetRevision> out;
    for (const auto& item : OwnedReplicaSets(*context.cluster.client, *deployment, context.container)) {
      out.push_back({std::to_string(item.revision), item.image, item.version, item.created_at, item.revision == current});
    }
    return out;
  });
}

// The documents a deploy recorded, applied again as they were: the
// configuration that broke may be today's berth.yaml, not the image.
DeployOutcome K8sTarget::Reapply(Context& context, const nlohmann::json& spec, const RollbackRequest& request) {
  const nlohmann::json documents = spec.is_object() ? spec.value("documents", nlohmann::json()) : nlohmann::json();
  const nlohmann::json* deployment = nullptr;
  if (documents.is_array()) {
    for (const auto& document : documents) {
      if (document.is_object() && document.value("kind", "") == "Deployment") deployment = &document;
    }
  }
  if (deployment == nullptr) {
    throw Error(ErrorCode::kInvalidInput, "k8s: the recorded specification has no Deployment document (expected {\"documents\": [...]})");
  }
  const nlohmann::json& metadata = Field(*deployment, "metadata");
  context.name = metadata.value("name", context.name);
  context.cluster.namespace_name = metadata.value("namespace", context.cluster.namespace_name);
  const std::string version = AnnotationOf(*deployment, kVersionAnnotation);
  Progress("re-applying the recorded specification of " + (version.empty() ? std::string("the chosen deployment") : "version " + version) +
           " to deployment \"" + context.name + "\"");
  for (const auto& document : documents) {
    if (&document == deployment || !document.is_object()) continue;
    ApplyOptions options;
    options.force = true;
    ServerSideApply(*context.cluster.client, document, options);
    Progress("applied " + Describe(document));
  }
  nlohmann::json object = *deployment;
  object["metadata"]["annotations"][kChangeCauseAnnotation] =
      "berth rollback to " + (version.empty() ? std::string("a recorded deployment") : version) + " (recorded specification)";
  DeployOutcome outcome = ApplyAndWait(context, object, true, request.health, request.timeout);
  outcome.details["version"] = version;
  outcome.details["recorded_spec"] = true;
  outcome.spec = spec;
  return outcome;
}

Result<DeployOutcome> K8sTarget::Rollback(const RollbackRequest& request) noexcept {
  return CaptureResult([&] {
    Context context = Open(request.target);
    KubeClient& client = *context.cluster.client;
    if (request.spec) return Reapply(context, *request.spec, request);
    if (request.image) {
      // A release from the ledger: deploy that image again, as that version.
      std::string version = request.version.value_or("");
      RenderInput input = InputFor(context.settings, context.service, context.cluster.namespace_name, *request.image, version,
                                   request.health, ChangeCause("rollback to", version, *request.image));
      input.pull_secret = SetUpPullSecret(context, *request.image);
      nlohmann::json deployment = RenderDeployment(input);
      DeployOutcome outcome = ApplyAndWait(context, deployment, true, request.health, request.timeout);
      outcome.details["version"] = version;
      outcome.spec = {{"documents", nlohmann::json::array({deployment})}};
      return outcome;
    }
    auto deployment = client.GetIfExists(context.DeploymentPath());
    if (!deployment) {
      throw Error(ErrorCode::kNotFound, "deployment \"" + context.name + "\" does not exist in " + context.Where());
    }
    if (Field(*deployment, "spec").value("paused", false)) {
      throw Error(ErrorCode::kDeploy, "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/" +
                                          context.name + "' and try again");
    }
    long wanted = 0;
    if (request.revision) {
      try {
        size_t used = 0;
        wanted = std::stol(*request.revision, &used);
        if (used != request.revision->size() || wanted < 1) throw std::invalid_argument("");
      } catch (const std::exception&) {
        throw Error(ErrorCode::kUsage, "--revision must be a positive whole number, got '" + *request.revision + "'");
      }
    }
    auto history = OwnedReplicaSets(client, *deployment, context.container);
    const ReplicaSetRevision& target = RevisionToRestore(history, wanted, context.name);
    nlohmann::json pod_template = RestorableTemplate(target.pod_template);
    long current = RevisionOf(*deployment);
    if (pod_template == RestorableTemplate(Field(Field(*deployment, "spec"), "template"))) {
      Progress("skipped rollback (current template already matches revision " + std::to_string(target.revision) + ")");
      DeployOutcome outcome;
      outcome.revision = std::to_string(current);
      outcome.healthy = EvaluateRollout(*deployment).done;
      outcome.details = {{"skipped", true}, {"namespace", context.cluster.namespace_name}, {"deployment", context.name},
                         {"revision", target.revision}};
      return outcome;
    }
    // As `kubectl rollout undo`, the old template goes back into the
    // Deployment; by server-side apply as berth, so that berth stays the
    // owner of the fields and the next deploy does not conflict.
    RenderInput input = InputFor(context.settings, context.service, context.cluster.namespace_name, target.image,
                                 target.version, request.health,
                                 "berth rollback to revision " + std::to_string(target.revision) +
                                     (target.version.empty() ? "" : " (" + target.version + ")"));
    nlohmann::json object = RenderDeployment(input);
    object["spec"]["template"] = pod_template;
    Progress("rolling deployment \"" + context.name + "\" back from revision " + std::to_string(current) + " to revision " +
             std::to_string(target.revision) + (target.version.empty() ? "" : " (version " + target.version + ")"));
    DeployOutcome outcome = ApplyAndWait(context, object, true, request.health, request.timeout);
    outcome.spec = {{"documents", nlohmann::json::array({object})}};
    outcome.details["rolled_back_to"] = target.revision;
    outcome.details["rolled_back_from"] = current;
    outcome.details["version"] = target.version;
    return outcome;
  });
}

}  // namespace berth::k8s
