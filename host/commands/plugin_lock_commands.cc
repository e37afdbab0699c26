// berth plugin lock|sync: the plugins berth.yaml lists, pinned in
// .berth/plugins.lock by artifact digest and signer, and installed into the
// project's .berth/plugins exactly as pinned (a teammate's laptop, a CI
// runner).
#include "berth/output.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/process.h"
#include "commands/plugin_source.h"
#include "core/config/host_paths.h"
#include "core/host.h"
#include "core/plugins/install_record.h"
#include "core/plugins/plugin_installer.h"
#include "core/plugins/plugin_lock.h"
#include "core/plugins/plugin_signature.h"
#include "core/registry/registry_flags.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

oci::Reference SourceReference(const ProjectPlugin& plugin) {
  std::optional<oci::Reference> reference = ArtifactReference(plugin.source.rfind("oci://", 0) == 0 ? plugin.source : "oci://" + plugin.source);
  if (!reference) {
    throw Error(ErrorCode::kInvalidInput, "berth.yaml: plugins." + plugin.name + ".source: '" + plugin.source +
                                              "' is not a published plugin (oci://HOST/REPO:TAG)");
  }
  return *reference;
}

const ProjectConfig& ProjectWithPlugins(Host& host) {
  const ProjectConfig& project = host.Project();
  // The sources name code that will run here: only a trusted project's.
  host.RequireTrust({"plugins"});
  return project;
}

// The lock is for teammates and CI: a .gitignore that hides it (the
// `/.berth/` that berth init wrote before there was a lock) defeats it.
void WarnIfGitIgnores(const fs::path& file, const fs::path& project_dir) {
  ProcessOptions options;
  options.cwd = project_dir;
  options.timeout = std::chrono::seconds(10);
  try {
    if (RunProcess({"git", "check-ignore", "-q", file.lexically_relative(project_dir).string()}, options).exit_code == 0) {
      log::Warn("git ignores {}, so teammates and CI will not get it: in .gitignore, replace /.berth/ with /.berth/* and "
                "!/.berth/plugins.lock",
                file.string());
    }
  } catch (const Error&) {
    // No git here: nothing to check.
  }
}

int RunLock(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  const ProjectConfig& project = ProjectWithPlugins(host);
  if (project.plugins.empty()) throw Error(ErrorCode::kUsage, "berth.yaml lists no plugins to lock (plugins: [{name, source}])");
  const std::vector<TrustedKey>& trusted = host.plugins->Trust().keys();
  std::vector<LockedPlugin> locked;
  for (const ProjectPlugin& plugin : project.plugins) {
    TempDir staging("berth-plugin-lock");
    FetchedPlugin fetched = FetchArtifact(host, SourceReference(plugin), staging.path());
    std::string where = fetched.artifact["reference"];
    std::string bytes = ReadFile(fetched.dir / kManifestFileName);
    PluginManifest manifest = ParseManifestBytes(bytes, fetched.dir / kManifestFileName);
    if (manifest.name != plugin.name) {
      throw Error(ErrorCode::kInvalidInput, where + " holds plugin '" + manifest.name + "', not '" + plugin.name + "' as berth.yaml says");
    }
    // The signer is pinned only once its signature verified with a key this
    // user trusts: the package's own, else one stored beside it.
    const std::string statement = PackageStatement(manifest, bytes);
    std::optional<VerifiedSignature> verified =
        VerifyPackageSignatures(statement, fetched.dir / kSignatureFileName, fetched.referrer_signatures, trusted, where);
    if (!verified) VerifyPackage(statement, fetched.dir / kSignatureFileName, trusted, where);  // Throws: not signed.
    const TrustedKey& key = *verified->key;
    locked.push_back({plugin.name, plugin.source, fetched.artifact["digest"], manifest.version, key.fingerprint, key.name});
  }
  fs::path file = PluginLockFile(project.dir);
  WritePluginLock(file, locked);
  WarnIfGitIgnores(file, project.dir);
  nlohmann::json list = nlohmann::json::array();
  Table table{{"NAME", "VERSION", "DIGEST", "SIGNER"}, {}};
  for (const LockedPlugin& plugin : locked) {
    list.push_back({{"name", plugin.name}, {"version", plugin.version}, {"digest", plugin.digest}, {"signer", plugin.signer},
                    {"signer_name", plugin.signer_name}});
    table.rows.push_back({plugin.name, plugin.version, plugin.digest, plugin.signer_name.empty() ? plugin.signer : plugin.signer_name});
  }
  context.output.Emit({{"lock", file.string()}, {"plugins", list}}, table);
  return 0;
}

// --mirror FROM=TO: the lock pins digests, not hosts, so an artifact copied
// to another registry (berth copy carries its signatures) is the same
// artifact there. FROM and TO are HOST/REPO prefixes, matched a path
// segment at a time.
oci::Reference Mirrored(const oci::Reference& reference, const std::vector<std::string>& mirrors) {
  const std::string name = reference.Name();
  for (const std::string& mirror : mirrors) {
    size_t equals = mirror.find('=');
    std::string from = equals == std::string::npos ? "" : mirror.substr(0, equals);
    std::string to = equals == std::string::npos ? "" : mirror.substr(equals + 1);
    while (!from.empty() && from.back() == '/') from.pop_back();
    while (!to.empty() && to.back() == '/') to.pop_back();
    if (from.empty() || to.empty()) throw Error(ErrorCode::kUsage, "--mirror expects FROM=TO (HOST/REPO prefixes), got '" + mirror + "'");
    if (name != from && !name.starts_with(from + "/")) continue;
    oci::Reference mirrored = oci::Reference::ParseRepository(to + name.substr(from.size()));
    mirrored.digest = reference.digest;
    return mirrored;
  }
  return reference;
}

// The lock must be berth.yaml's list, pinned: a stale lock installs nothing.
void CheckLockMatches(const ProjectConfig& project, const std::vector<LockedPlugin>& locked, const fs::path& file) {
  std::map<std::string, std::string> wanted, pinned;
  for (const ProjectPlugin& plugin : project.plugins) wanted[plugin.name] = plugin.source;
  for (const LockedPlugin& plugin : locked) pinned[plugin.name] = plugin.source;
  for (const auto& [name, source] : wanted) {
    auto it = pinned.find(name);
    std::string problem = it == pinned.end() ? "does not pin plugin '" + name + "'"
                          : it->second != source ? "pins '" + name + "' from " + it->second + ", not " + source
                                                 : "";
    if (!problem.empty()) throw Error(ErrorCode::kInvalidInput, file.string() + " " + problem + " as berth.yaml lists it; run berth plugin lock");
  }
  for (const auto& [name, source] : pinned) {
    if (wanted.count(name) == 0) {
      throw Error(ErrorCode::kInvalidInput, file.string() + " pins '" + name + "', which berth.yaml does not list; run berth plugin lock");
    }
  }
}

int RunSync(Host& host, CommandContext& context) {
  ApplyRegistryFlagOptions(host, context.args);
  const ProjectConfig& project = ProjectWithPlugins(host);
  fs::path file = PluginLockFile(project.dir);
  std::optional<std::vector<LockedPlugin>> locked = ReadPluginLock(file);
  if (!locked) {
    if (project.plugins.empty()) throw Error(ErrorCode::kUsage, "berth.yaml lists no plugins and there is no " + file.string());
    throw Error(ErrorCode::kNotFound, "no " + file.string() + ": run berth plugin lock and commit the file");
  }
  CheckLockMatches(project, *locked, file);
  const std::vector<TrustedKey>& trusted = host.plugins->Trust().keys();
  fs::path root = project.dir / ".berth" / "plugins";
  InstallRecord record = InstallRecord::Read();

  nlohmann::json list = nlohmann::json::array();
  Table table{{"NAME", "VERSION", "ACTION"}, {}};
  for (const LockedPlugin& plugin : *locked) {
    const TrustedKey* key = nullptr;
    for (const TrustedKey& candidate : trusted) {
      if (candidate.fingerprint == plugin.signer) key = &candidate;
    }
    if (key == nullptr) {
      throw Error(ErrorCode::kVerification, file.string() + " pins '" + plugin.name + "' to the signer " +
                                                (plugin.signer_name.empty() ? plugin.signer : plugin.signer_name + " (" + plugin.signer + ")") +
                                                ", which is not in trusted-plugin-keys of your berth config");
    }
    oci::Reference reference = SourceReference({plugin.name, plugin.source});
    reference.tag.clear();
    reference.digest = Digest::Parse(plugin.digest);  // What the lock pins, wherever the tag points now.
    reference = Mirrored(reference, context.args.GetAll("mirror"));
    ArtifactVariant artifact = OpenArtifact(host, reference);
    // The variant's config is the plugin's manifest, byte for byte, and the
    // record binds the installed manifest by its sha256: a plugin installed
    // as locked is recognised without fetching its package.
    oci::Manifest variant = artifact.source->ChildManifest(artifact.variant);
    std::string manifest_sha256 = variant.config ? variant.config->digest.hex() : "";  // No config: the fetch says what is wrong.
    std::optional<InstalledPlugin> installed = record.Find(fs::absolute(root / plugin.name));
    std::string action = "installed";
    if (installed && installed->manifest_sha256 == manifest_sha256 && installed->signer == plugin.signer &&
        fs::exists(root / plugin.name / kManifestFileName)) {
      action = "up to date";
    } else if (!context.args.Flag("dry-run")) {
      TempDir staging("berth-plugin-sync");
      FetchedPlugin fetched = FetchArtifact(artifact, staging.path());
      InstallRequest request{fetched.dir, root, /*force=*/true};
      request.trusted = {*key};  // Only the pinned signer: another trusted key is not the lock's.
      request.more_signatures = fetched.referrer_signatures;
      request.what = artifact.where;
      request.other_dirs = PluginSearchDirs(std::nullopt);
      InstallPlugin(request);
    } else {
      action = "would install";
    }
    list.push_back({{"name", plugin.name}, {"version", plugin.version}, {"digest", plugin.digest}, {"from", reference.Name()},
                    {"action", action}});
    table.rows.push_back({plugin.name, plugin.version, action});
  }
  context.output.Emit(list, table);
  return 0;
}

}  // namespace

void RegisterPluginLockCommands(Host& host) {
  host.table.Add({.path = "plugin lock",
                  .summary = "Pin berth.yaml's plugins by artifact digest and signer in .berth/plugins.lock",
                  .description = "Resolves each plugins[].source, verifies this machine's variant's signature with your\n"
                                 "trusted keys, and writes the lock (commit it).",
                  .options = RegistryFlagOptions()},
                 [&host](CommandContext& c) { return RunLock(host, c); });
  host.table.Add({.path = "plugin sync",
                  .summary = "Install exactly the plugins .berth/plugins.lock pins into the project",
                  .description = "Fetches each plugin by its locked digest, accepts only the locked signer, and installs\n"
                                 "it into the project's .berth/plugins; a plugin already installed as locked is left alone.\n"
                                 "--mirror FROM=TO fetches what the lock pins from a copy (berth copy) under another prefix.",
                  .options = [] {
                    std::vector<OptionSpec> options = RegistryFlagOptions();
                    options.push_back({.name = "mirror",
                                       .kind = OptionSpec::Kind::kList,
                                       .help = "Fetch artifacts under the HOST/REPO prefix FROM from TO instead (repeatable)",
                                       .value_name = "FROM=TO"});
                    return options;
                  }()},
                 [&host](CommandContext& c) { return RunSync(host, c); });
}

}  // namespace berth::host
