#include "ghcr_commands.h"

#include <iostream>
#include <iterator>

#include "berth/oci/host_registry.h"
#include "berth/oci/reference.h"
#include "berth/output.h"
#include "berth/services.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "berth/util/text.h"
#include "ghcr_registry.h"
#include "ghcr_schema.h"
#include "packages.h"
#include "prune.h"

namespace berth::ghcr {
namespace {

struct Target {
  oci::Reference reference;
  GhcrSettings settings;
  PackageRef package;
};

// The image's host must be ghcr.io or a host registries.yaml routes to this
// plugin; its `settings:` block applies, as for pushes and pulls.
Target ResolveTarget(CommandContext& context) {
  Target target;
  target.reference = oci::Reference::ParseRepository(context.args.Get("image"));
  const std::string& host = target.reference.registry;
  oci::HostRegistryOptions registry = oci::HostRegistry::Options(host);
  bool routed = registry.plugin == "ghcr" || (registry.plugin.empty() && host == kDefaultHost);
  if (!routed) {
    throw Error(ErrorCode::kInvalidInput, "ghcr: " + host + " is not a GitHub container registry (ghcr.io, or a host with "
                                              "`plugin: ghcr` in registries.yaml)");
  }
  nlohmann::json settings = CheckGhcrSettings(registry.plugin_settings, "registries.yaml " + host + ".settings");
  if (auto api = context.args.GetOptional("api-url")) settings["api-url"] = *api;
  target.settings = GhcrSettings::Parse(settings).WithHost(host);
  if (auto file = context.args.GetOptional("token-file")) target.settings.token_file = *file;
  CheckGhcrRepository(target.reference.repository);
  target.package = PackageRef::FromRepository(target.reference.repository);
  return target;
}

std::optional<FoundToken> CommandToken(CommandContext& context, const GhcrSettings& settings) {
  if (context.args.Flag("token-stdin")) {
    std::string token((std::istreambuf_iterator<char>(context.input)), std::istreambuf_iterator<char>());
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty()) throw Error(ErrorCode::kAuth, "ghcr: --token-stdin given, but stdin was empty");
    RegisterSecret(token);
    return FoundToken{SecretValue(std::move(token)), "stdin"};
  }
  return FindToken(settings, /*docker_config=*/true);
}

// "sha256:ab12cd34ef56…", as berth's registry commands print digests in tables.
std::string ShortDigest(const Digest& digest) { return digest.algorithm() + ":" + digest.hex().substr(0, 12) + "…"; }

nlohmann::json VersionJson(const PackageVersion& version) {
  return {{"id", version.id}, {"digest", version.digest}, {"tags", version.tags},
          {"createdAt", version.created_at}, {"updatedAt", version.updated_at}};
}

int RunVersions(CommandContext& context) {
  Target target = ResolveTarget(context);
  GitHubApi api(MakeApiOptions(target.settings, CommandToken(context, target.settings)));
  Packages packages(api, target.settings.owner_type);
  auto versions = packages.List(target.package);
  nlohmann::json list = nlohmann::json::array();
  Table table{{"ID", "DIGEST", "TAGS", "CREATED"}, {}};
  for (const auto& version : versions) {
    list.push_back(VersionJson(version));
    table.rows.push_back({std::to_string(version.id), version.digest, Join(version.tags, ","), version.created_at});
  }
  context.output.Emit(list, table);
  return 0;
}

ManifestLinks RegistryLinks(const Target& target) {
  // The host's registry services: its client for the host, with the
  // credentials it would push with.
  const std::string repository = target.reference.Name();
  ManifestLinks links;
  links.children = [repository](const std::string& digest) {
    std::vector<std::string> children;
    if (!Digest::IsValid(digest)) return children;
    try {
      oci::Manifest manifest = oci::HostRegistry().GetManifest(repository + "@" + digest);
      if (manifest.is_index) {
        for (const auto& child : manifest.manifests) children.push_back(child.digest.str());
      }
    } catch (const Error& e) {
      // A version the registry no longer serves lists nothing; any other failure stops the prune.
      if (e.code() != ErrorCode::kNotFound) throw;
    }
    return children;
  };
  links.referrers = [repository](const std::string& digest) {
    std::vector<std::string> referrers;
    if (!Digest::IsValid(digest)) return referrers;
    for (const auto& descriptor : oci::HostRegistry().Referrers(repository, Digest::Parse(digest))) {
      referrers.push_back(descriptor.digest.str());
    }
    return referrers;
  };
  return links;
}

int RunPrune(CommandContext& context) {
  Target target = ResolveTarget(context);
  context.args.Get("keep");  // Required: says so when missing.
  int keep = int(*context.args.WholeNumber("keep", 0, 100000));
  bool untagged = context.args.Flag("untagged");
  bool apply = context.args.Flag("yes") && !context.args.Flag("dry-run");
  GitHubApi api(MakeApiOptions(target.settings, CommandToken(context, target.settings)));
  Packages packages(api, target.settings.owner_type);
  auto plan = PlanPrune(packages.List(target.package), keep, untagged, RegistryLinks(target));

  std::map<int64_t, std::string> actions;
  for (const auto& entry : plan) actions[entry.version.id] = entry.remove ? "delete" : "keep";
  auto order = DeletionOrder(plan);
  size_t deleted = 0;
  if (apply) {
    for (const PruneEntry* entry : order) {
      try {
        packages.Delete(target.package, entry->version.id);
      } catch (const Error& e) {
        throw Error(e.code(), "ghcr prune " + target.reference.Name() + ": deleted " + std::to_string(deleted) + " of " +
                                  std::to_string(order.size()) + " versions, then " + e.what());
      }
      actions[entry->version.id] = "deleted";
      ++deleted;
    }
  }
  nlohmann::json versions = nlohmann::json::array();
  Table table{{"ID", "DIGEST", "TAGS", "ACTION", "REASON"}, {}};
  for (const auto& entry : plan) {
    nlohmann::json item = VersionJson(entry.version);
    item["action"] = actions[entry.version.id];
    item["reason"] = entry.reason;
    versions.push_back(item);
    const std::string& digest = entry.version.digest;
    table.rows.push_back({std::to_string(entry.version.id), Digest::IsValid(digest) ? ShortDigest(Digest::Parse(digest)) : digest,
                          Join(entry.version.tags, ","), actions[entry.version.id], entry.reason});
  }
  context.output.Emit({{"image", target.reference.Name()},
                       {"owner", target.package.owner},
                       {"package", target.package.package},
                       {"keep", keep},
                       {"untagged", untagged},
                       {"dryRun", !apply},
                       {"toDelete", order.size()},
                       {"deleted", deleted},
                       {"versions", versions}},
                      table);
  if (context.output.format() == OutputFormat::kTable) {
    context.output.Line(apply ? "deleted " + std::to_string(deleted) + " version" + (deleted == 1 ? "" : "s")
                              : "dry run: " + std::to_string(order.size()) + " version" + (order.size() == 1 ? "" : "s") +
                                    " would be deleted; pass --yes to delete");
  }
  return 0;
}

std::vector<OptionSpec> CommonOptions() {
  using Kind = OptionSpec::Kind;
  return {{.name = "image", .help = "Repository: ghcr.io/OWNER/NAME (nested names allowed)", .value_name = "IMAGE", .required = true, .position = 1},
          {.name = "token-stdin", .kind = Kind::kFlag, .help = "Read the GitHub token (PAT) from stdin"},
          {.name = "token-file", .help = "Read the GitHub token from FILE", .value_name = "FILE"},
          {.name = "api-url", .help = "GitHub API base URL (default https://api.github.com)", .value_name = "URL"}};
}

}  // namespace

void RegisterCommands(Registrar& registrar) {
  using Kind = OptionSpec::Kind;
  registrar.AddCommand(CommandSpec{.path = "ghcr versions",
                                   .summary = "List a ghcr package's versions with their digests and tags",
                                   .options = CommonOptions()},
                       RunVersions);
  std::vector<OptionSpec> prune = CommonOptions();
  prune.push_back({.name = "keep", .help = "How many of the newest tagged versions to keep", .value_name = "N", .required = true});
  prune.push_back({.name = "untagged", .kind = Kind::kFlag, .help = "Also delete untagged versions"});
  prune.push_back({.name = "yes", .kind = Kind::kFlag, .help = "Delete (without it: only print the plan)"});
  registrar.AddCommand(CommandSpec{.path = "ghcr prune",
                                   .summary = "Delete old ghcr package versions, keeping the newest N tagged (dry run unless --yes)",
                                   .description = "Never deletes a version a kept one needs: manifests of a kept index, "
                                                  "referrers of a kept manifest, and sha256-<hex>.sig/.att tags of a kept digest.",
                                   .options = prune},
                       RunPrune);
}

}  // namespace berth::ghcr
