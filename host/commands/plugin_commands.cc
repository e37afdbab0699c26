// berth plugin list|info|install|remove|new
#include <iostream>

#include "berth/abi/berth_plugin_api.h"
#include "berth/output.h"
#include "berth/oci/copy.h"
#include "berth/util/fs.h"
#include "commands/plugin_source.h"
#include "core/config/host_paths.h"
#include "core/host.h"
#include "core/plugins/index_lookup.h"
#include "core/plugins/install_record.h"
#include "core/plugins/plugin_artifact.h"
#include "core/plugins/plugin_installer.h"
#include "core/plugins/plugin_referrers.h"
#include "core/plugins/plugin_scaffold.h"
#include "core/plugins/plugin_signature.h"
#include "core/registry/registry_flags.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

// The stable JSON shape of one plugin (docs/commands.md#plugin-list).
nlohmann::json Describe(PluginManager& plugins, const DiscoveredPlugin& plugin) {
  nlohmann::json kinds = nlohmann::json::array(), provides = nlohmann::json::array(), commands = nlohmann::json::array();
  if (plugin.manifest) {
    for (const auto& provision : plugin.manifest->provides) {
      std::string kind = ProvidedKindName(provision.kind);
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
      nlohmann::json item = {{"kind", kind}, {"name", provision.name}, {"summary", provision.summary}};
      if (!provision.hosts.empty()) item["hosts"] = provision.hosts;
      provides.push_back(item);
    }
    for (const auto& command : plugin.manifest->commands) commands.push_back(command.path);
  }
  nlohmann::json description = {
      {"name", plugin.name},
      {"version", plugin.manifest ? plugin.manifest->version : ""},
      {"description", plugin.manifest ? plugin.manifest->description : ""},
      {"kinds", kinds},
      {"provides", provides},
      {"commands", commands},
      {"source", PluginSourceName(plugin.source)},
      {"path", plugin.manifest_path.parent_path().string()},
      {"state", plugin.state.ok() ? "ok" : "refused"},
      {"reason", plugin.state.ok() ? nlohmann::json(nullptr) : nlohmann::json(plugin.state.message())},
  };
  if (plugin.manifest) {
    description["abi_major"] = plugin.manifest->abi_major;
    description["abi_minor"] = plugin.manifest->abi_minor;
    description["built_with"] = plugin.manifest->built_with;
    description["library"] = plugin.manifest->library;
    description["sha256"] = plugin.manifest->sha256;
  }
  // Who signed what `berth plugin install` put here; null for plugins it did not install.
  std::optional<InstalledPlugin> installed = plugins.InstalledAs(plugin);
  description["installed"] = installed ? nlohmann::json{{"signer", installed->signer},
                                                         {"signer_name", installed->signer_name},
                                                         {"library", installed->library},
                                                         {"sha256", installed->sha256},
                                                         {"manifest_sha256", installed->manifest_sha256},
                                                         {"installed_at", installed->installed_at},
                                                         {"index", installed->index.empty() ? nlohmann::json(nullptr) : nlohmann::json(installed->index)},
                                                         {"pinned_version", installed->pinned_version.empty() ? nlohmann::json(nullptr)
                                                                                                              : nlohmann::json(installed->pinned_version)},
                                                         {"artifact", installed->artifact.empty() ? nlohmann::json(nullptr)
                                                                                                  : nlohmann::json(installed->artifact)}}
                                       : nlohmann::json(nullptr);
  return description;
}

std::string Joined(const nlohmann::json& array) {
  std::string text;
  for (const auto& item : array) text += (text.empty() ? "" : ", ") + item.get<std::string>();
  return text;
}

int RunList(Host& host, CommandContext& context) {
  bool load = context.args.Flag("load");
  nlohmann::json list = nlohmann::json::array();
  Table table{{"NAME", "VERSION", "KINDS", "COMMANDS", "STATE", "PATH"}, {}};
  host.plugins->CheckAll();
  for (auto& plugin : host.plugins->Plugins()) {
    if (load && plugin.state.ok()) (void)host.plugins->Load(plugin.name);
    nlohmann::json item = Describe(*host.plugins, plugin);
    table.rows.push_back({item["name"], item["version"], Joined(item["kinds"]), Joined(item["commands"]),
                          plugin.state.ok() ? "ok" : "refused: " + plugin.state.message(), item["path"]});
    list.push_back(std::move(item));
  }
  // Listing succeeded even when some plugin is refused: its state says so.
  context.output.Emit(list, table);
  return 0;
}

int RunInfo(Host& host, CommandContext& context) {
  std::string name = context.args.Get("name");
  DiscoveredPlugin* plugin = host.plugins->Find(name);
  if (plugin == nullptr) throw Error(ErrorCode::kNotFound, "no plugin named '" + name + "' (see berth plugin list)");
  host.plugins->Check(*plugin);
  if (context.args.Flag("load") && plugin->state.ok()) (void)host.plugins->Load(name);
  context.output.Emit(Describe(*host.plugins, *plugin));
  return plugin->state.ok() ? 0 : static_cast<int>(ErrorCode::kPlugin);
}

// Which signature the install verified: null when unsigned.
nlohmann::json SignatureJson(const InstallResult& result) {
  if (result.signer == kUnsigned) return nullptr;
  if (result.signature_referrer.empty()) return {{"in", "package"}};
  return {{"in", "referrer"}, {"digest", result.signature_referrer}};
}

fs::path InstallRoot(Host& host, CommandContext& context) {
  if (auto dir = context.args.GetOptional("dir")) return fs::absolute(*dir);
  if (context.args.Flag("project")) {
    fs::path project = host.project_dir ? *host.project_dir : fs::current_path();
    return project / ".berth" / "plugins";
  }
  return UserPluginDir();
}

int RunInstall(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  PluginTrust& trust = host.plugins->Trust();
  if (context.args.Flag("allow-unsigned") && trust.policy().require_signatures) {
    // It would install a plugin that every later run refuses.
    throw Error(ErrorCode::kVerification, "--allow-unsigned: " + trust.policy().required_by.string() +
                                              " requires every plugin but berth's own to be signed by a trusted key "
                                              "(plugin-policy.require-signatures)");
  }
  std::string source = context.args.Get("source");
  nlohmann::json artifact = nullptr;
  std::string index, pinned_version;
  std::optional<TempDir> fetched;
  MoreSignatures referrer_signatures;
  if (IsPackageUrl(source)) {
    fetched.emplace("berth-plugin-fetch");
    artifact = {{"url", source}, {"sha256", context.args.GetOr("sha256", "")}};
    source = DownloadPackage(source, context.args.GetOr("sha256", ""), fetched->path()).string();
  } else if (std::optional<oci::Reference> reference = ArtifactReference(source)) {
    fetched.emplace("berth-plugin-fetch");
    FetchedPlugin plugin = FetchArtifact(host, *reference, fetched->path());
    source = plugin.dir.string();
    artifact = plugin.artifact;
    referrer_signatures = plugin.referrer_signatures;
  } else if (std::optional<IndexSpec> spec = fs::exists(source) ? std::nullopt : ParseIndexSpec(source)) {
    IndexEntry entry = ResolveIndexEntry(IndexStore::Read(), *spec, BERTH_ABI_MAJOR);
    fetched.emplace("berth-plugin-fetch");
    FetchedPlugin plugin = FetchIndexEntry(host, entry, fetched->path());
    source = plugin.dir.string();
    artifact = plugin.artifact;
    referrer_signatures = plugin.referrer_signatures;
    index = entry.index.name;
    pinned_version = spec->version;
  }
  InstallRequest request{source, InstallRoot(host, context), context.args.Flag("force")};
  request.index = index;
  request.pinned_version = pinned_version;
  if (artifact.is_object() && artifact.contains("digest")) {
    oci::Reference reference = oci::Reference::Parse(artifact["reference"].get<std::string>());
    reference.digest = Digest::Parse(artifact["digest"].get<std::string>());
    request.artifact = reference.str();
  }
  request.allow_unsigned = context.args.Flag("allow-unsigned");
  if (auto signature = context.args.GetOptional("signature")) request.signature = *signature;
  request.trusted = trust.keys();
  request.other_dirs = PluginSearchDirs(host.project_dir);
  request.more_signatures = referrer_signatures;
  if (!artifact.is_null() && artifact.contains("reference")) request.what = artifact["reference"];
  InstallResult result = InstallPlugin(request);
  nlohmann::json record = {{"name", result.manifest.name},
                           {"version", result.manifest.version},
                           {"path", result.path.string()},
                           {"sha256", result.manifest.sha256},
                           {"replaced_version", result.replaced_version.empty() ? nlohmann::json(nullptr)
                                                                                : nlohmann::json(result.replaced_version)},
                           {"signer", result.signer},
                           {"signer_name", result.signer_name},
                           {"signature", SignatureJson(result)},
                           {"artifact", artifact},
                           {"pinned_version", pinned_version.empty() ? nlohmann::json(nullptr) : nlohmann::json(pinned_version)}};
  context.output.Emit(record);
  return 0;
}

// One signature referrer in publish's and sign's output (docs/commands.md).
nlohmann::json SignatureEntry(const std::string& platform, const oci::Descriptor& variant, const std::string& signature) {
  oci::Manifest referrer = SignatureReferrer(variant, signature);
  auto signer = referrer.annotations.find(kSignerAnnotation);
  return {{"platform", platform},
          {"variant", variant.digest.str()},
          {"signer", signer == referrer.annotations.end() ? "" : signer->second},
          {"referrer", referrer.digest.str()}};
}

// The fallback tag a referrer was listed under; null when the referrers API indexed it.
nlohmann::json TagJson(const std::string& tag) { return tag.empty() ? nlohmann::json(nullptr) : nlohmann::json(tag); }

// berth plugin publish DIR|PKG... REF: one index, a variant per directory.
int RunPublish(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  std::vector<std::string> words = context.args.GetAll("source");
  if (words.size() < 2) throw Error(ErrorCode::kUsage, "plugin publish needs a plugin directory or package and then the reference to push to");
  std::string destination = words.back();
  words.pop_back();
  oci::Reference reference = oci::Reference::Parse(destination.rfind("oci://", 0) == 0 ? destination.substr(6) : destination);
  if (reference.tag.empty() && !reference.digest) throw Error(ErrorCode::kUsage, destination + ": name a tag to publish under (REPO:VERSION)");

  TempDir work("berth-plugin-publish");
  std::vector<PluginVariant> variants;
  for (size_t i = 0; i < words.size(); ++i) {
    fs::path dir = words[i];
    if (!fs::is_directory(dir)) {
      fs::path unpacked = work.path() / ("package-" + std::to_string(i));
      CreateDirectories(unpacked, 0700);
      dir = UnpackPluginPackage(words[i], unpacked);
    }
    variants.push_back(DescribeVariant(dir));
    if (!variants.back().is_signed && !context.args.Flag("allow-unsigned")) {
      throw Error(ErrorCode::kVerification, words[i] + ": not signed (no berth-plugin.sig); sign it with `berth plugin sign` or publish with --allow-unsigned");
    }
  }
  fs::path layout = work.path() / "layout";
  std::vector<oci::Descriptor> manifests;
  Digest digest = WritePluginLayout(variants, layout, "plugin", &manifests);
  nlohmann::json platforms = nlohmann::json::array();
  for (const PluginVariant& variant : variants) platforms.push_back(variant.platform.str());
  nlohmann::json result = {{"name", variants.front().name}, {"version", variants.front().version}, {"reference", reference.str()},
                           {"digest", digest.str()}, {"platforms", platforms}, {"signatures", nlohmann::json::array()}};
  bool dry_run = context.args.Flag("dry-run");
  std::shared_ptr<oci::RegistryClient> client;
  if (!dry_run) {
    client = host.plugins->registries().Clients()(reference);
    auto source = oci::OpenOciLayoutSource(oci::ImageLocation::Parse("oci:" + layout.string() + ":plugin"));
    auto sink = oci::OpenRegistrySink(client, reference, "plugin publish");
    oci::CopyResult copied = oci::CopyImage(*source, *sink, oci::CopyOptions{});
    if (copied.top.digest != digest) throw Error(ErrorCode::kVerification, reference.str() + ": stored " + copied.top.digest.str() + ", not " + digest.str());
  }
  // Each signature also beside its variant, where countersignatures join it later.
  for (size_t i = 0; i < variants.size(); ++i) {
    if (!variants[i].is_signed) continue;
    std::string signature = ReadFile(variants[i].dir / kSignatureFileName);
    nlohmann::json entry = SignatureEntry(variants[i].platform.str(), manifests[i], signature);
    if (client) entry["tag"] = TagJson(PushSignatureReferrer(*client, "plugin publish", reference.repository, manifests[i], signature).tag);
    result["signatures"].push_back(entry);
  }
  result["action"] = dry_run ? "would publish" : "published";
  context.output.Emit(result);
  return 0;
}

int RunRemove(Host& host, CommandContext& context) {
  std::string name = context.args.Get("name");
  fs::path root = InstallRoot(host, context);
  if (!context.args.Has("dir") && !context.args.Flag("project")) {
    DiscoveredPlugin* plugin = host.plugins->Find(name);
    if (plugin != nullptr && plugin->source == PluginSource::kBundled) {
      throw Error(ErrorCode::kInvalidInput, "plugin '" + name + "' ships with berth at " +
                                                plugin->manifest_path.parent_path().string() + "; it cannot be removed");
    }
    if (plugin != nullptr && plugin->source == PluginSource::kProject) root = plugin->manifest_path.parent_path().parent_path();
  }
  fs::path removed = RemovePlugin(name, root);
  context.output.Emit({{"name", name}, {"removed", removed.string()}});
  return 0;
}

// berth plugin sign REF: a published plugin signed after the fact, without
// its packages: each variant's statement comes from its config (the
// manifest, byte for byte), and the signature is stored beside the variant.
int RunSignPublished(Host& host, CommandContext& context, const oci::Reference& reference) {
  if (context.args.Has("output")) {
    throw Error(ErrorCode::kUsage, "--output is for a plugin directory; a published plugin's signatures are stored beside it in the registry");
  }
  ApplyRegistryFlagOptions(host, context.args);
  const std::string where = reference.str();
  std::shared_ptr<oci::RegistryClient> client = host.plugins->registries().Clients()(reference);
  auto source = oci::OpenRegistrySource(client, reference, "plugin sign");
  oci::Manifest top = source->TopManifest();
  CheckPluginArtifact(top, where);
  // Every variant is signed before anything is pushed: a bad key stores nothing.
  std::string fingerprint;
  std::vector<std::string> signatures;
  for (const oci::Descriptor& variant : top.manifests) {
    std::string config = FetchVariantConfig(*source, variant, where);
    PluginManifest manifest = ParseManifestBytes(config, where + "@" + variant.digest.str() + " config");
    signatures.push_back(SignStatement(PackageStatement(manifest, config), context.args.Get("key"), &fingerprint));
  }
  nlohmann::json result = {{"reference", where}, {"digest", top.digest.str()}, {"key", fingerprint}, {"signatures", nlohmann::json::array()}};
  for (size_t i = 0; i < top.manifests.size(); ++i) {
    const oci::Descriptor& variant = top.manifests[i];
    nlohmann::json entry = SignatureEntry(variant.platform ? variant.platform->str() : "", variant, signatures[i]);
    entry["tag"] = TagJson(PushSignatureReferrer(*client, "plugin sign", reference.repository, variant, signatures[i]).tag);
    result["signatures"].push_back(entry);
  }
  context.output.Emit(result);
  return 0;
}

int RunSign(Host& host, CommandContext& context) {
  const std::string target = context.args.Get("dir");
  if (!fs::is_directory(target)) {
    if (std::optional<oci::Reference> reference = ArtifactReference(target)) return RunSignPublished(host, context, *reference);
  }
  fs::path dir = target;
  fs::path output = context.args.GetOr("output", (dir / kSignatureFileName).string());
  std::string fingerprint;
  std::string signature = SignPackage(dir, context.args.Get("key"), &fingerprint);
  WriteFileAtomic(output, signature, 0644);
  context.output.Emit({{"signature", fs::absolute(output).string()}, {"key", fingerprint}});
  return 0;
}

int RunNew(CommandContext& context) {
  std::string name = context.args.Get("name");
  fs::path directory = context.args.GetOr("dir", "berth-plugin-" + name);
  auto files = ScaffoldPlugin(name, directory);
  nlohmann::json written = nlohmann::json::array();
  for (const auto& file : files) written.push_back(file.string());
  std::string absolute = fs::absolute(directory).string();
  nlohmann::json next = {"cd " + absolute,
                         "cmake -S . -B build -DCMAKE_PREFIX_PATH=<berth install prefix>",
                         "cmake --build build && ctest --test-dir build",
                         "berth plugin sign build/plugins/" + name + " --key <signing key>",
                         "berth plugin install build/plugins/" + name};
  context.output.Emit({{"name", name}, {"directory", absolute}, {"files", written}, {"next_steps", next}});
  if (context.output.format() == OutputFormat::kTable) {
    std::cerr << "Next steps:\n";
    for (const auto& step : next) std::cerr << "  " << step.get<std::string>() << "\n";
  }
  return 0;
}

}  // namespace

void RegisterPluginCommands(Host& host) {
  using Kind = OptionSpec::Kind;
  const OptionSpec load{.name = "load", .kind = Kind::kFlag, .help = "Also load each plugin and run its registration"};
  const OptionSpec project{.name = "project", .kind = Kind::kFlag, .help = "Use the project's .berth/plugins"};
  const OptionSpec dir{.name = "dir", .help = "Use this plugin directory", .value_name = "DIR"};
  host.table.Add({.path = "plugin list", .summary = "List plugins with their kinds, commands and state", .options = {load}},
                 [&host](CommandContext& c) { return RunList(host, c); });
  host.table.Add({.path = "plugin info",
                  .summary = "Show one plugin's manifest and state",
                  .options = {{.name = "name", .help = "Plugin name", .value_name = "NAME", .required = true, .position = 1}, load}},
                 [&host](CommandContext& c) { return RunInfo(host, c); });
  host.table.Add(
      {.path = "plugin install",
       .summary = "Install a plugin from a directory, a .tar.gz package or a registry",
       .description = "The manifest, the plugin ABI major version and the library's sha256 are checked before\n"
                      "anything is copied; the plugin then appears by one rename. Installs into the user's plugin\n"
                      "directory unless --project or --dir is given. From a registry (berth plugin publish), this\n"
                      "machine's variant is picked and its digest verified first.",
       .options = WithRegistryFlags(
           {{.name = "source", .help = "Plugin directory, .tar.gz package (path or https:// URL), a published artifact (oci://HOST/REPO:TAG), or [INDEX/]NAME[@VERSION] from a plugin index",
             .value_name = "SOURCE", .required = true, .position = 1},
            {.name = "force", .kind = Kind::kFlag, .help = "Replace an installed plugin of another version"},
            {.name = "allow-unsigned", .kind = Kind::kFlag, .help = "Install a package that has no signature (recorded as unsigned)"},
            {.name = "signature", .help = "The signature file (default: berth-plugin.sig in the plugin directory)", .value_name = "FILE"},
            {.name = "sha256", .help = "The package's sha256, for an https:// SOURCE", .value_name = "HEX"},
            project, dir})},
      [&host](CommandContext& c) { return RunInstall(host, c); });
  host.table.Add(
      {.path = "plugin publish",
       .summary = "Push signed plugins to a registry as one OCI artifact, a variant per platform",
       .description = "berth plugin publish DIR|PKG... HOST/REPO:TAG. Each directory (or .tar.gz package) is one\n"
                      "variant; its platform is its library's architecture and its ABI major the manifest's. Install\n"
                      "with `berth plugin install oci://HOST/REPO:TAG`, which picks this machine's variant.",
       .options = WithRegistryFlags({{.name = "source", .kind = Kind::kList, .help = "Plugin directories or packages, then the reference",
                                      .value_name = "DIR|PKG|REF", .required = true, .position = 1},
                                     {.name = "allow-unsigned", .kind = Kind::kFlag, .help = "Publish plugins that have no signature"}})},
      [&host](CommandContext& c) { return RunPublish(host, c); });
  host.table.Add(
      {.path = "plugin sign",
       .summary = "Sign a built plugin directory, or a published plugin, so that `berth plugin install` accepts it",
       .description = "Writes berth-plugin.sig over the manifest and the library's sha256 with an unencrypted\n"
                      "Ed25519 or ECDSA P-256 PEM private key. Users list the public key under trusted-plugin-keys in\n"
                      "$XDG_CONFIG_HOME/berth/config.yaml (docs/security-plugins.md). Given a published plugin\n"
                      "(oci://HOST/REPO:TAG), signs each variant's manifest as published and stores the signature\n"
                      "beside it in the registry (an OCI referrer), without downloading or changing the plugin.",
       .options = WithRegistryFlags(
           {{.name = "dir", .help = "The plugin directory (holding berth-plugin.json), or a published plugin (oci://HOST/REPO:TAG)",
             .value_name = "DIR|REF", .required = true, .position = 1},
            {.name = "key", .help = "PEM private key file", .value_name = "FILE", .required = true},
            {.name = "output", .help = "Where to write the signature (default: DIR/berth-plugin.sig)", .value_name = "FILE"}})},
      [&host](CommandContext& c) { return RunSign(host, c); });
  host.table.Add({.path = "plugin remove",
                  .summary = "Remove an installed plugin",
                  .options = {{.name = "name", .help = "Plugin name", .value_name = "NAME", .required = true, .position = 1}, project, dir}},
                 [&host](CommandContext& c) { return RunRemove(host, c); });
  host.table.Add({.path = "plugin new",
                  .summary = "Write an out-of-tree plugin project that builds against the installed SDK",
                  .options = {{.name = "name", .help = "Plugin name", .value_name = "NAME", .required = true, .position = 1},
                              {.name = "dir", .help = "Where to write it (default: ./berth-plugin-NAME)", .value_name = "DIR"}}},
                 RunNew);
}

}  // namespace berth::host
