// berth plugin index add|update|list|remove|build|sign|publish, plugin
// search and plugin upgrade: plugins found by name in indexes a team
// publishes, each index trusted because a trusted key signed it or because
// the user pinned its digest.
#include <algorithm>
#include <set>

#include "berth/abi/berth_plugin_api.h"
#include "berth/output.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/time.h"
#include "commands/index_source.h"
#include "commands/plugin_source.h"
#include "core/config/host_paths.h"
#include "core/host.h"
#include "core/plugins/index_lookup.h"
#include "core/plugins/index_store.h"
#include "core/plugins/install_record.h"
#include "core/plugins/plugin_artifact.h"
#include "core/plugins/plugin_installer.h"
#include "core/plugins/plugin_signature.h"
#include "core/plugins/plugin_version.h"
#include "core/registry/registry_flags.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

struct VerifiedIndex {
  RegisteredIndex entry;
  std::string document;
  PluginIndexDocument parsed;
};

// Fetches an index and establishes why it can be believed: its pin, or a
// signature by a trusted key (the same key as before, on an update), and a
// serial that never goes back.
VerifiedIndex FetchAndVerify(Host& host, const std::string& name, const std::string& source, const std::string& pin,
                             const RegisteredIndex* previous) {
  FetchedIndex fetched = FetchIndexSource(host, source);
  const std::string actual = "sha256:" + Sha256Hex(fetched.document);
  if (!pin.empty() && actual != pin) {
    throw Error(ErrorCode::kVerification, source + ": the plugin index has sha256 " + actual.substr(7) + ", not the pinned " + pin.substr(7));
  }
  VerifiedIndex verified{{name, source, pin, "", "", "", 0, NowRfc3339()}, fetched.document, ParsePluginIndex(fetched.document, source)};
  verified.entry.serial = verified.parsed.serial;
  const bool pinned = !pin.empty() || fetched.pinned_by_reference;
  if (fetched.signature) {
    TempDir scratch("berth-index-signature");
    fs::path file = scratch.path() / "index.sig";
    WriteFileAtomic(file, *fetched.signature, 0600);
    try {
      const std::vector<TrustedKey>& trusted = host.plugins->Trust().keys();
      const TrustedKey& key = VerifyPackage(PluginIndexStatement(fetched.document), file, trusted, source);
      verified.entry.signer = key.fingerprint;
      verified.entry.signer_name = key.name;
    } catch (const Error& e) {
      if (!pinned) throw;
      log::Warn("{}; the index is accepted by its pin", e.what());
    }
  } else if (!pinned) {
    throw Error(ErrorCode::kVerification, source + ": the plugin index is not signed (no " + fetched.signature_name +
                                              ") and not pinned: add it with --sha256 HEX or by a @sha256: reference, or have "
                                              "its publisher sign it (berth plugin index sign)");
  }
  if (previous != nullptr && !pinned && !previous->signer.empty() && verified.entry.signer != previous->signer) {
    throw Error(ErrorCode::kVerification, name + ": " + source + " is now signed by " +
                                              (verified.entry.signer_name.empty() ? verified.entry.signer : verified.entry.signer_name) +
                                              ", not by " + (previous->signer_name.empty() ? previous->signer : previous->signer_name) +
                                              ", who signed it when it was added; if that is expected, add it again with --force");
  }
  if (previous != nullptr && verified.parsed.serial < previous->serial) {
    throw Error(ErrorCode::kVerification, name + ": " + source + " offers serial " + std::to_string(verified.parsed.serial) +
                                              ", older than the serial " + std::to_string(previous->serial) +
                                              " already verified (an old index served again?); kept the one you have");
  }
  return verified;
}

nlohmann::json DescribeIndex(const RegisteredIndex& index, size_t plugins) {
  return {{"name", index.name},
          {"source", index.source},
          {"pinned", !index.pin.empty() || index.source.find("@sha256:") != std::string::npos},
          {"signer", index.signer.empty() ? nlohmann::json(nullptr) : nlohmann::json(index.signer)},
          {"signer_name", index.signer_name},
          {"serial", index.serial},
          {"plugins", plugins},
          {"digest", index.digest},
          {"updated_at", index.updated_at}};
}

std::string TrustText(const RegisteredIndex& index) {
  if (!index.signer.empty()) return "signed by " + (index.signer_name.empty() ? index.signer : index.signer_name);
  return "pinned";
}

int RunIndexAdd(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  const std::string name = context.args.Get("name");
  if (!IsValidPluginName(name)) throw Error(ErrorCode::kUsage, "'" + name + "' is not a valid index name (lower case letters, digits, - and _)");
  const std::string source = NormalizeIndexSource(context.args.Get("source"));
  std::string pin;
  if (auto sha256 = context.args.GetOptional("sha256")) {
    if (sha256->size() != 64 || sha256->find_first_not_of("0123456789abcdef") != std::string::npos) {
      throw Error(ErrorCode::kUsage, "--sha256 takes the index's 64 lower-case hex digits");
    }
    pin = "sha256:" + *sha256;
  }
  IndexStore store = IndexStore::Read();
  if (const RegisteredIndex* existing = store.Find(name); existing != nullptr && !context.args.Flag("force")) {
    throw Error(ErrorCode::kInvalidInput, "a plugin index named '" + name + "' is already added (from " + existing->source +
                                              "); use --force to replace it");
  }
  VerifiedIndex verified = FetchAndVerify(host, name, source, pin, nullptr);
  store.Put(verified.entry, verified.document);
  nlohmann::json result = DescribeIndex(*IndexStore::Read().Find(name), verified.parsed.plugins.size());
  Table table{{"INDEX", "PLUGINS", "SERIAL", "TRUST", "SOURCE"},
              {{name, std::to_string(verified.parsed.plugins.size()), std::to_string(verified.entry.serial), TrustText(verified.entry), source}}};
  context.output.Emit(result, table);
  return 0;
}

// Fetches `index` again; returns "updated" or "unchanged".
std::string Refresh(Host& host, IndexStore& store, const RegisteredIndex& index) {
  RegisteredIndex previous = index;  // `index` lives in the store, which Put rewrites.
  VerifiedIndex verified = FetchAndVerify(host, previous.name, previous.source, previous.pin, &previous);
  if ("sha256:" + Sha256Hex(verified.document) == previous.digest) return "unchanged";
  store.Put(verified.entry, verified.document);
  return "updated";
}

int RunIndexUpdate(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  IndexStore store = IndexStore::Read();
  std::vector<std::string> names;
  if (auto name = context.args.GetOptional("name")) {
    if (store.Find(*name) == nullptr) throw Error(ErrorCode::kNotFound, "no plugin index named '" + *name + "' (see berth plugin index list)");
    names.push_back(*name);
  } else {
    for (const RegisteredIndex& index : store.indexes()) names.push_back(index.name);
  }
  nlohmann::json list = nlohmann::json::array();
  Table table{{"INDEX", "ACTION", "SERIAL", "PLUGINS"}, {}};
  for (const std::string& name : names) {
    std::string action = Refresh(host, store, *store.Find(name));
    const RegisteredIndex& now = *store.Find(name);
    size_t plugins = store.Document(now).plugins.size();
    list.push_back({{"name", name}, {"action", action}, {"serial", now.serial}, {"plugins", plugins}});
    table.rows.push_back({name, action, std::to_string(now.serial), std::to_string(plugins)});
  }
  context.output.Emit(list, table);
  return 0;
}

int RunIndexList(CommandContext& context) {
  IndexStore store = IndexStore::Read();
  nlohmann::json list = nlohmann::json::array();
  Table table{{"INDEX", "PLUGINS", "SERIAL", "TRUST", "SOURCE"}, {}};
  for (const RegisteredIndex& index : store.indexes()) {
    size_t plugins = store.Document(index).plugins.size();
    list.push_back(DescribeIndex(index, plugins));
    table.rows.push_back({index.name, std::to_string(plugins), std::to_string(index.serial), TrustText(index), index.source});
  }
  context.output.Emit(list, table);
  return 0;
}

int RunIndexRemove(CommandContext& context) {
  const std::string name = context.args.Get("name");
  IndexStore store = IndexStore::Read();
  store.Remove(name);
  context.output.Emit({{"name", name}, {"removed", true}});
  return 0;
}

// berth plugin index build FILE REF...: adds each published artifact's
// plugin and version to FILE (creating it), with its digest, description
// and ABI majors read from the registry, and bumps the serial.
int RunIndexBuild(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  std::vector<std::string> words = context.args.GetAll("file");
  if (words.size() < 2) throw Error(ErrorCode::kUsage, "plugin index build needs the index file and then published plugins (HOST/REPO:TAG)");
  const fs::path file = words.front();
  PluginIndexDocument index = fs::exists(file) ? ParsePluginIndex(ReadFile(file), file.string()) : PluginIndexDocument{};
  nlohmann::json added = nlohmann::json::array();
  for (size_t i = 1; i < words.size(); ++i) {
    std::optional<oci::Reference> reference = ArtifactReference(words[i].rfind("oci://", 0) == 0 ? words[i] : "oci://" + words[i]);
    if (!reference) throw Error(ErrorCode::kUsage, words[i] + ": not a registry reference (HOST/REPO:TAG)");
    ArtifactVariant artifact = OpenArtifact(host, *reference);
    oci::Manifest top = artifact.source->TopManifest();
    oci::Manifest variant = artifact.source->ChildManifest(artifact.variant);
    PluginManifest manifest = ParseManifestBytes(artifact.source->SmallBlob(*variant.config), words[i] + " config");
    IndexedVersion version{manifest.version, "", {}};
    oci::Reference pinned = *reference;
    pinned.digest = top.digest;
    version.artifact = pinned.str();
    for (const oci::Descriptor& child : top.manifests) {
      auto abi = child.annotations.find(kAbiMajorAnnotation);
      if (abi == child.annotations.end()) continue;
      int major = std::atoi(abi->second.c_str());
      if (std::find(version.abi_majors.begin(), version.abi_majors.end(), major) == version.abi_majors.end()) version.abi_majors.push_back(major);
    }
    IndexedPlugin& plugin = index.FindOrAdd(manifest.name);
    if (!manifest.description.empty()) plugin.description = manifest.description;
    std::erase_if(plugin.versions, [&](const IndexedVersion& v) { return v.version == version.version; });
    plugin.versions.push_back(version);
    added.push_back({{"name", manifest.name}, {"version", version.version}, {"artifact", version.artifact}});
  }
  index.serial += 1;
  std::string bytes = SerializePluginIndex(index);
  ParsePluginIndex(bytes, file.string());  // What is written reads back.
  WriteFileAtomic(file, bytes, 0644);
  if (fs::exists(file.string() + ".sig")) log::Warn("{}.sig no longer matches {}: sign it again (berth plugin index sign)", file.string(), file.string());
  context.output.Emit({{"file", fs::absolute(file).string()}, {"serial", index.serial}, {"added", added}});
  return 0;
}

int RunIndexSign(CommandContext& context) {
  const fs::path file = context.args.Get("file");
  const std::string bytes = ReadFile(file);
  ParsePluginIndex(bytes, file.string());
  const fs::path output = context.args.GetOr("output", file.string() + ".sig");
  std::string fingerprint;
  WriteFileAtomic(output, SignStatement(PluginIndexStatement(bytes), context.args.Get("key"), &fingerprint), 0644);
  context.output.Emit({{"signature", fs::absolute(output).string()}, {"key", fingerprint}});
  return 0;
}

int RunIndexPublish(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  const fs::path file = context.args.Get("file");
  const std::string destination = context.args.Get("reference");
  const std::string bytes = ReadFile(file);
  PluginIndexDocument index = ParsePluginIndex(bytes, file.string());
  std::optional<std::string> signature;
  const fs::path signature_file = file.string() + ".sig";
  if (fs::exists(signature_file)) {
    signature = ReadFile(signature_file);
  } else if (!context.args.Flag("allow-unsigned")) {
    throw Error(ErrorCode::kVerification, file.string() + ": not signed (no " + signature_file.string() +
                                              "); sign it with berth plugin index sign, or publish with --allow-unsigned (users then pin its digest)");
  }
  oci::Reference reference = oci::Reference::Parse(destination.rfind("oci://", 0) == 0 ? destination.substr(6) : destination);
  if (reference.tag.empty() && !reference.digest) throw Error(ErrorCode::kUsage, destination + ": name a tag to publish under (REPO:TAG)");
  std::string digest = PublishIndex(host, reference, bytes, signature);
  context.output.Emit({{"reference", reference.str()}, {"digest", digest}, {"serial", index.serial}, {"signed", signature.has_value()}});
  return 0;
}

bool Matches(const IndexedPlugin& plugin, const std::string& term) {
  auto lower = [](std::string text) {
    for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  std::string wanted = lower(term);
  return lower(plugin.name).find(wanted) != std::string::npos || lower(plugin.description).find(wanted) != std::string::npos;
}

int RunSearch(Host& host, CommandContext& context) {
  const std::string term = context.args.GetOr("term", "");
  IndexStore store = IndexStore::Read();
  if (store.indexes().empty()) throw Error(ErrorCode::kNotFound, "no plugin index was added to search (berth plugin index add NAME SOURCE)");
  nlohmann::json list = nlohmann::json::array();
  Table table{{"NAME", "LATEST", "INDEX", "INSTALLED", "DESCRIPTION"}, {}};
  for (const RegisteredIndex& index : store.indexes()) {
    for (const IndexedPlugin& plugin : store.Document(index).plugins) {
      if (!term.empty() && !Matches(plugin, term)) continue;
      const IndexedVersion* latest = NewestVersion(plugin, BERTH_ABI_MAJOR);
      nlohmann::json versions = nlohmann::json::array();
      for (const IndexedVersion& version : plugin.versions) versions.push_back(version.version);
      const DiscoveredPlugin* installed = host.plugins->Find(plugin.name);
      std::string installed_version = installed != nullptr && installed->manifest ? installed->manifest->version : "";
      list.push_back({{"name", plugin.name},
                      {"description", plugin.description},
                      {"index", index.name},
                      {"latest", latest != nullptr ? nlohmann::json(latest->version) : nlohmann::json(nullptr)},
                      {"versions", versions},
                      {"installed", installed_version.empty() ? nlohmann::json(nullptr) : nlohmann::json(installed_version)}});
      table.rows.push_back({plugin.name, latest != nullptr ? latest->version : "-", index.name, installed_version.empty() ? "-" : installed_version,
                            plugin.description});
    }
  }
  context.output.Emit(list, table);
  return 0;
}

// What `upgrade NAME` says about a plugin it will not move.
[[noreturn]] void NotUpgradable(Host& host, const std::string& name) {
  DiscoveredPlugin* plugin = host.plugins->Find(name);
  if (plugin == nullptr) throw Error(ErrorCode::kNotFound, "no plugin named '" + name + "' is installed (see berth plugin list)");
  if (plugin->source == PluginSource::kProject) {
    throw Error(ErrorCode::kUsage, "plugin '" + name + "' is the project's (.berth/plugins), pinned by .berth/plugins.lock: change its "
                                   "source in berth.yaml, then run berth plugin lock and berth plugin sync");
  }
  throw Error(ErrorCode::kUsage, "plugin '" + name + "' at " + plugin->manifest_path.parent_path().string() +
                                     " was not installed from a plugin index, so there is nothing to upgrade it from "
                                     "(berth plugin install INDEX/" + name + " --force)");
}

int RunUpgrade(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  const bool dry_run = context.args.Flag("dry-run");
  std::vector<std::string> wanted = context.args.GetAll("name");
  const fs::path root = UserPluginDir();
  std::vector<InstalledPlugin> candidates;
  for (const InstalledPlugin& plugin : InstallRecord::Read().All()) {
    std::error_code error;
    if (plugin.index.empty() || !fs::equivalent(plugin.path.parent_path(), root, error)) continue;
    if (!fs::exists(plugin.path / kManifestFileName)) continue;
    if (wanted.empty() || std::find(wanted.begin(), wanted.end(), plugin.name) != wanted.end()) candidates.push_back(plugin);
  }
  for (const std::string& name : wanted) {
    if (std::none_of(candidates.begin(), candidates.end(), [&](const InstalledPlugin& p) { return p.name == name; })) NotUpgradable(host, name);
  }

  IndexStore store = IndexStore::Read();
  if (dry_run) store.KeepInMemory();  // The indexes are fetched and verified, but the stored copies stay.
  std::set<std::string> refreshed;
  nlohmann::json list = nlohmann::json::array();
  Table table{{"NAME", "INDEX", "INSTALLED", "LATEST", "ACTION"}, {}};
  for (const InstalledPlugin& plugin : candidates) {
    const RegisteredIndex* index = store.Find(plugin.index);
    if (index == nullptr) {
      throw Error(ErrorCode::kNotFound, "plugin '" + plugin.name + "' was installed from the plugin index '" + plugin.index +
                                            "', which is no longer added (berth plugin index add " + plugin.index + " SOURCE)");
    }
    // Each index is fetched again once, as `plugin index update` would.
    if (refreshed.insert(index->name).second) Refresh(host, store, *index);
    std::string action, latest;
    if (!plugin.pinned_version.empty()) {
      action = "pinned";
      latest = plugin.pinned_version;
    } else {
      IndexEntry entry = ResolveIndexEntry(store, {plugin.index, plugin.name, ""}, BERTH_ABI_MAJOR);
      latest = entry.version.version;
      if (CompareVersions(latest, plugin.version) <= 0) {
        action = "up to date";
      } else if (dry_run) {
        action = "would upgrade";
      } else {
        TempDir staging("berth-plugin-upgrade");
        FetchedPlugin fetched = FetchIndexEntry(host, entry, staging.path());
        InstallRequest request{fetched.dir, root};
        request.replace_version = true;  // Not force: the signer must stay the one that signed what is installed.
        request.trusted = host.plugins->Trust().keys();
        request.other_dirs = PluginSearchDirs(host.project_dir);
        request.index = plugin.index;
        request.artifact = entry.version.artifact;
        request.more_signatures = fetched.referrer_signatures;
        request.what = entry.version.artifact;
        InstallPlugin(request);
        action = "upgraded";
      }
    }
    list.push_back({{"name", plugin.name}, {"index", plugin.index}, {"installed", plugin.version}, {"latest", latest}, {"action", action}});
    table.rows.push_back({plugin.name, plugin.index, plugin.version, latest, action});
  }
  context.output.Emit(list, table);
  return 0;
}

}  // namespace

void RegisterPluginIndexCommands(Host& host) {
  using Kind = OptionSpec::Kind;
  host.table.Add(
      {.path = "plugin index add",
       .summary = "Add a plugin index, so its plugins install by name",
       .description = "SOURCE is a file, an https:// URL, or a registry reference written by `berth plugin index\n"
                      "publish`. The index must be signed by a key in trusted-plugin-keys (FILE.sig, URL.sig, or the\n"
                      "artifact's signature layer), or pinned: --sha256 HEX, or a reference with @sha256:. Later\n"
                      "updates must be signed by the same key and never offer an older serial.",
       .options = WithRegistryFlags({{.name = "name", .help = "What to call the index (INDEX/PLUGIN)", .value_name = "NAME", .required = true, .position = 1},
                                     {.name = "source", .help = "File, https:// URL or HOST/REPO:TAG", .value_name = "SOURCE", .required = true, .position = 2},
                                     {.name = "sha256", .help = "Pin the index document to this sha256", .value_name = "HEX"},
                                     {.name = "force", .kind = Kind::kFlag, .help = "Replace an index of the same name"}})},
      [&host](CommandContext& c) { return RunIndexAdd(host, c); });
  host.table.Add({.path = "plugin index update",
                  .summary = "Fetch the plugin indexes again and verify them",
                  .options = WithRegistryFlags({{.name = "name", .help = "Only this index", .value_name = "NAME", .position = 1}})},
                 [&host](CommandContext& c) { return RunIndexUpdate(host, c); });
  host.table.Add({.path = "plugin index list", .summary = "List the plugin indexes added, with how each is trusted"}, RunIndexList);
  host.table.Add({.path = "plugin index remove",
                  .summary = "Remove a plugin index (plugins installed from it stay)",
                  .options = {{.name = "name", .help = "The index", .value_name = "NAME", .required = true, .position = 1}}},
                 RunIndexRemove);
  host.table.Add({.path = "plugin index build",
                  .summary = "Add published plugins to an index file (for publishers)",
                  .description = "berth plugin index build FILE HOST/REPO:TAG...: each artifact's plugin, version, digest,\n"
                                 "description and ABI majors are read from the registry; the serial goes up by one. Then sign\n"
                                 "it (berth plugin index sign) and publish it (a file, a web server, or berth plugin index publish).",
                  .options = WithRegistryFlags({{.name = "file", .kind = Kind::kList, .help = "The index file, then published plugins",
                                                 .value_name = "FILE REF", .required = true, .position = 1}})},
                 [&host](CommandContext& c) { return RunIndexBuild(host, c); });
  host.table.Add({.path = "plugin index sign",
                  .summary = "Sign an index file with a plugin signing key (writes FILE.sig)",
                  .options = {{.name = "file", .help = "The index file", .value_name = "FILE", .required = true, .position = 1},
                              {.name = "key", .help = "PEM private key file (Ed25519 or ECDSA P-256)", .value_name = "FILE", .required = true},
                              {.name = "output", .help = "Where to write the signature (default: FILE.sig)", .value_name = "FILE"}}},
                 RunIndexSign);
  host.table.Add({.path = "plugin index publish",
                  .summary = "Push an index file and its signature to a registry",
                  .options = WithRegistryFlags({{.name = "file", .help = "The index file (FILE.sig beside it)", .value_name = "FILE", .required = true, .position = 1},
                                                {.name = "reference", .help = "Where to push it", .value_name = "HOST/REPO:TAG", .required = true, .position = 2},
                                                {.name = "allow-unsigned", .kind = Kind::kFlag, .help = "Publish an index without a signature"}})},
                 [&host](CommandContext& c) { return RunIndexPublish(host, c); });
  host.table.Add({.path = "plugin search",
                  .summary = "Search the added plugin indexes by name and description",
                  .options = {{.name = "term", .help = "Text to look for (all plugins when omitted)", .value_name = "TERM", .position = 1}}},
                 [&host](CommandContext& c) { return RunSearch(host, c); });
  host.table.Add({.path = "plugin upgrade",
                  .summary = "Move plugins installed from an index to its newest version",
                  .description = "Fetches their indexes again, then installs each plugin's newest release this berth can load,\n"
                                 "signed by the key that signed the installed one. Plugins installed as NAME@VERSION stay\n"
                                 "pinned; the project's plugins follow .berth/plugins.lock, not indexes.",
                  .options = WithRegistryFlags({{.name = "name", .kind = Kind::kList, .help = "Only these plugins", .value_name = "NAME", .position = 1}})},
                 [&host](CommandContext& c) { return RunUpgrade(host, c); });
}

}  // namespace berth::host
