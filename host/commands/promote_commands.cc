// berth promote VERSION ENV: copies a recorded release, by digest, from the
// registry it was released to into the environment's own registry
// (environments.ENV.registry), with its signatures and attestations, sets
// the release's tags there, and records the promotion. Later deploys of the
// version to ENV pull from there (`berth deploy ENV --version V`).
#include <algorithm>
#include <iostream>
#include <optional>
#include <set>

#include "berth/oci/copy.h"
#include "berth/oci/image.h"
#include "berth/output.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "commands/environment_target.h"
#include "core/config/target_flags.h"
#include "core/host.h"
#include "core/registry/registry_flags.h"
#include "core/registry/signature_tags.h"
#include "core/release/deploy_and_record.h"
#include "core/release/ledger.h"

namespace berth::host {
namespace {

using nlohmann::json;

void Step(const std::string& text) {
  if (log::Enabled(log::Level::kWarn)) std::cerr << "promote: " << Redact(text) << std::endl;
}

// The tag names the release was published under, in the order recorded.
std::vector<std::string> ReleaseTags(const LedgerRelease& release) {
  std::vector<std::string> tags;
  for (const auto& image : release.images) {
    oci::Reference reference = oci::Reference::Parse(image);
    if (!reference.tag.empty() && std::find(tags.begin(), tags.end(), reference.tag) == tags.end()) tags.push_back(reference.tag);
  }
  return tags;
}

int RunPromote(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  const ProjectConfig& project = host.Project();
  const EnvironmentConfig& environment = project.Environment(context.args.Get("environment"));
  if (environment.registry.empty()) {
    throw Error(ErrorCode::kInvalidInput, project.file.filename().string() + ": environments." + environment.name +
                                              ".registry is not set: " + environment.name +
                                              " pulls from the release's own registry (deploy with berth deploy " + environment.name +
                                              " --version VERSION)");
  }
  Ledger ledger = Ledger::Load(project.ledger);
  const std::string version = context.args.Get("version");
  const LedgerRelease* release = ledger.Find(version);
  if (release == nullptr) throw Error(ErrorCode::kNotFound, "version " + version + " is not in " + project.ledger.filename().string());
  // The ledger is saved (and reloaded by the deploy) below: the release is
  // read through its version from here on, never through this pointer.
  const std::string released_version = release->version;
  const std::string source_image = release->ImageByDigest();
  if (source_image.empty()) throw Error(ErrorCode::kInvalidInput, project.ledger.filename().string() + ": release " + version + " records no image");
  const oci::Reference source = oci::Reference::Parse(source_image);
  oci::Reference destination = oci::Reference::Parse(environment.registry);
  destination.digest = source.digest;
  const std::vector<std::string> tags = ReleaseTags(*release);
  release = nullptr;

  auto& router = host.plugins->registries();
  oci::ClientFactory clients = [&router](const oci::Reference& reference) {
    router.Validate(reference);
    return router.Client(reference.registry);
  };
  // Release tags are immutable in the environment's registry too: refused
  // before anything is copied.
  auto destination_client = clients(destination);
  for (const auto& tag : tags) {
    auto existing = destination_client->HeadManifest("promote", destination.repository, tag);
    if (existing && existing->digest != *source.digest) {
      throw Error(ErrorCode::kInvalidInput, "tag " + environment.registry + ":" + tag + " already names " + existing->digest.str() +
                                                ", not release " + version + "'s " + source.digest->str() + "; release tags are immutable");
    }
  }
  if (context.args.Flag("dry-run")) {
    json plan = {{"version", released_version}, {"environment", environment.name}, {"from", source_image},
                 {"to", environment.registry + "@" + source.digest->str()}, {"tags", tags}, {"dry_run", true}};
    Table table{{"STEP", "WHAT"}, {{"copy", source_image + " to " + environment.registry + " (with its signatures and attestations)"}}};
    for (const auto& tag : tags) table.rows.push_back({"tag", environment.registry + ":" + tag});
    table.rows.push_back({"record", released_version + " promoted to " + environment.name + " in " + project.ledger.string()});
    context.output.Emit(plan, table);
    return 0;
  }

  // The target is opened (and its settings' trust checked) before anything is copied.
  std::optional<OpenedTarget> opened;
  if (!context.args.Flag("no-deploy")) opened.emplace(Open(host, context, Use::kChange));

  Step("copying " + source_image + " to " + environment.registry);
  auto from = oci::OpenImageSource(oci::ImageLocation::Parse(source_image), clients, "promote");
  auto to = oci::OpenRegistrySink(destination_client, destination, "promote");
  oci::CopyOptions options;
  options.concurrency = std::min(router.config().For(source.registry).concurrency, router.config().For(destination.registry).concurrency);
  oci::CopyResult copied = oci::CopyImage(*from, *to, options);
  if (copied.top.digest != *source.digest) {
    throw Error(ErrorCode::kVerification, "promote: " + environment.registry + " stored " + copied.top.digest.str() + ", not " +
                                              source.digest->str() + "; nothing recorded");
  }
  json attachments = CopyAttachmentTags(clients, source, destination, from->TopManifest());
  oci::Manifest top = from->TopManifest();
  for (const auto& tag : tags) {
    Step("tagging " + environment.registry + ":" + tag);
    destination_client->PutManifest("promote", destination.repository, tag, top);
  }

  LedgerPromotion promotion{environment.name, environment.registry, NowRfc3339(), DeployActor(), tags, {}};
  for (const auto& attachment : attachments) {
    // A referrer is named by its fallback tag (once for all it lists), or by its digest when the API indexed it.
    std::string name = attachment["tag"].is_string() ? attachment["tag"].get<std::string>() : attachment["digest"].get<std::string>();
    if (std::find(promotion.attachments.begin(), promotion.attachments.end(), name) == promotion.attachments.end()) {
      promotion.attachments.push_back(name);
    }
  }
  ledger.RecordPromotion(released_version, promotion);
  ledger.Save(project.ledger, project.ledger_markdown);
  const std::string promoted = environment.registry + "@" + source.digest->str();
  json result = {{"version", released_version}, {"environment", environment.name}, {"image", promoted},
                 {"tags", tags}, {"attachments", promotion.attachments}, {"copy", copied.ToJson()}};

  // Then deploy from there, the way berth deploy does (and recorded the same way).
  if (!context.args.Flag("no-deploy")) {
    Step("deploying " + released_version + " to " + environment.name + " from " + environment.registry);
    DeployRequest request;
    request.target = opened->query;
    request.version = released_version;
    request.image = promoted;
    request.health = environment.health;
    DeployResult deployed = DeployAndRecord(project, context.services, *opened->target, ledger, request);
    deployed.status.ThrowIfError();
    result["deployment"] = {{"revision", deployed.outcome->revision}, {"url", deployed.outcome->url}, {"healthy", deployed.good}};
    if (!deployed.good) {
      context.output.Emit(result);
      throw Error(ErrorCode::kDeploy, deployed.outcome->problem.empty() ? environment.name + ": the promoted release is not healthy"
                                                                       : deployed.outcome->problem);
    }
  }
  Table table{{"FIELD", "VALUE"},
              {{"version", released_version}, {"environment", environment.name}, {"image", result["image"].get<std::string>()},
               {"tags", std::to_string(tags.size())}, {"signatures", std::to_string(promotion.attachments.size()) + " copied (tags and referrers)"}}};
  context.output.Emit(result, table);
  return 0;
}

}  // namespace

void RegisterPromoteCommands(Host& host) {
  using Kind = OptionSpec::Kind;
  std::vector<OptionSpec> options = {
      {.name = "version", .help = "A version from the release ledger", .value_name = "VERSION", .required = true, .position = 1},
      {.name = "environment", .help = "The environment whose registry receives it (environments.ENV.registry)", .value_name = "ENV",
       .required = true, .position = 2},
      {.name = "dry-run", .kind = Kind::kFlag, .help = "Print what would be copied and tagged; change nothing"},
      {.name = "no-deploy", .kind = Kind::kFlag, .help = "Copy and record only; deploy later with berth deploy ENV --version VERSION"},
      {.name = "set", .kind = Kind::kList, .help = "Override a target setting of berth.yaml for this run", .value_name = "KEY=VALUE"}};
  for (const auto& flag : RegistryFlagOptions()) options.push_back(flag);
  host.table.Add({.path = "promote",
                  .summary = "Copy a release by digest, with its signatures, to an environment's registry, record it and deploy it from there",
                  .options = options},
                 [&host](CommandContext& c) { return RunPromote(host, c); }, [&host] { return TargetFlagOptions(*host.plugins); });
}

}  // namespace berth::host
