#include "core/plugins/plugin_installer.h"

#include <fcntl.h>
#include <stdio.h>

#include <ctime>

#include "berth/plugin_loader.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/process.h"
#include "berth/util/time.h"
#include "core/plugins/elf_check.h"
#include "core/plugins/install_record.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

bool IsTarball(const fs::path& path) {
  std::string name = path.filename().string();
  auto ends_with = [&](const std::string& suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".tar.gz") || ends_with(".tgz");
}

// A package holds the plugin directory at its top, or the files themselves.
fs::path FindPluginDir(const fs::path& root, const fs::path& package) {
  if (fs::exists(root / kManifestFileName)) return root;
  fs::path found;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && fs::exists(entry.path() / kManifestFileName)) {
      if (!found.empty()) throw Error(ErrorCode::kInvalidInput, package.string() + ": holds more than one plugin");
      found = entry.path();
    }
  }
  if (found.empty()) throw Error(ErrorCode::kInvalidInput, package.string() + ": no " + std::string(kManifestFileName) + " inside");
  return found;
}

void Extract(const fs::path& package, const fs::path& into) {
  // GNU tar refuses absolute names and ".." members by default; no owners or
  // special permissions are restored.
  ProcessResult result = RunProcess({"tar", "-xzf", fs::absolute(package).string(), "-C", into.string(), "--no-same-owner",
                                     "--no-same-permissions", "--no-overwrite-dir"});
  if (result.exit_code != 0) {
    std::string reason = result.stderr_data.substr(0, result.stderr_data.find('\n'));
    throw Error(ErrorCode::kInvalidInput, package.string() + ": not a readable .tar.gz package (" + reason + ")");
  }
}

}  // namespace

fs::path UnpackPluginPackage(const fs::path& package, const fs::path& into) {
  if (!IsTarball(package)) throw Error(ErrorCode::kInvalidInput, package.string() + ": expected a plugin directory or a .tar.gz package");
  Extract(package, into);
  return FindPluginDir(into, package);
}

namespace {

void Swap(const fs::path& staged, const fs::path& target) {
  if (renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
    throw Error(ErrorCode::kFailure, "cannot replace " + target.string() + ": " + std::strerror(errno));
  }
}

void CheckNameIsFree(const std::string& name, const InstallRequest& request) {
  std::vector<SearchDir> others;
  std::error_code error;
  for (const SearchDir& dir : request.other_dirs) {
    if (!fs::equivalent(dir.path, request.destination, error)) others.push_back(dir);
  }
  for (const DiscoveredPlugin& plugin : DiscoverPlugins(others)) {
    if (plugin.name != name) continue;
    throw Error(ErrorCode::kPlugin, "plugin '" + name + "' is also at " + plugin.manifest_path.parent_path().string() + " (" +
                                        PluginSourceName(plugin.source) +
                                        "); berth refuses a plugin name found in two places, so remove that one first");
  }
}

std::string SignerText(const std::string& signer, const std::string& name) {
  if (signer == kUnsigned) return "unsigned";
  return "signed by " + (name.empty() ? signer : name + " (" + signer + ")");
}

// A plugin stays with the key that signed it: replacing it with an unsigned
// copy or one another key signed, whatever the version, is what a
// compromised mirror or a careless --allow-unsigned would do, so it takes
// --force, and the message says what would change.
void CheckSignerKept(const InstallRequest& request, const InstallResult& result) {
  if (request.force || !fs::exists(result.path / kManifestFileName)) return;
  std::optional<InstalledPlugin> installed =
      InstallRecord::Read(request.record.empty() ? InstallRecordFile() : request.record).Find(fs::absolute(result.path));
  if (!installed || installed->signer == kUnsigned || installed->signer == result.signer) return;
  throw Error(ErrorCode::kVerification, "plugin '" + result.manifest.name + "' " + installed->version + " at " + result.path.string() +
                                            " was installed " + SignerText(installed->signer, installed->signer_name) +
                                            "; this package is " + SignerText(result.signer, result.signer_name) +
                                            ": use --force to replace it anyway");
}

}  // namespace

InstallResult InstallPlugin(const InstallRequest& request) {
  if (!fs::exists(request.source)) throw Error(ErrorCode::kInvalidInput, request.source.string() + ": no such file or directory");
  CreateDirectories(request.destination);
  // Staging lives inside the destination so the final step is a rename on
  // one filesystem; its dot name keeps discovery away from it.
  TempDir staging(".install", request.destination);
  fs::path source_dir = request.source;
  if (!fs::is_directory(request.source)) {
    fs::path unpacked = staging.path() / "unpacked";
    CreateDirectories(unpacked, 0700);
    source_dir = UnpackPluginPackage(request.source, unpacked);
  }
  fs::path manifest_path = source_dir / kManifestFileName;
  if (!fs::exists(manifest_path)) {
    throw Error(ErrorCode::kInvalidInput, request.source.string() + ": no " + std::string(kManifestFileName) + " in it");
  }
  std::string manifest_bytes;
  try {
    manifest_bytes = ReadFile(manifest_path);
  } catch (const Error& e) {
    throw Error(ErrorCode::kPlugin, e.what());
  }
  // One reading of the manifest is checked, verified and installed.
  PluginManifest manifest = ParseManifestBytes(manifest_bytes, manifest_path);
  if (fs::is_symlink(source_dir / manifest.library)) {
    throw Error(ErrorCode::kInvalidInput, (source_dir / manifest.library).string() + ": the library must be a regular file, not a symlink");
  }
  CheckManifest(manifest, manifest_path).ThrowIfError();
  CheckPluginElf(source_dir / manifest.library).ThrowIfError();
  CheckNameIsFree(manifest.name, request);

  InstallResult result{manifest, request.destination / manifest.name, "", kUnsigned, ""};
  fs::path signature = request.signature.empty() ? source_dir / kSignatureFileName : request.signature;
  const std::string what = request.what.empty() ? request.source.string() : request.what;
  const std::string statement = PackageStatement(manifest, manifest_bytes);
  // Signatures that are present must include one that verifies, even with --allow-unsigned.
  std::optional<VerifiedSignature> verified =
      VerifyPackageSignatures(statement, signature, request.signature.empty() ? request.more_signatures : MoreSignatures(),
                              request.trusted, what);
  if (verified) {
    signature = verified->candidate.file;  // The one installed beside the plugin, so that it verifies again in place.
    result.signer = verified->key->fingerprint;
    result.signer_name = verified->key->name;
    result.signature_referrer = verified->candidate.referrer;
  } else if (!request.allow_unsigned) {
    VerifyPackage(statement, signature, request.trusted, what);  // Throws: not signed.
  }
  if (fs::exists(result.path / kManifestFileName)) {
    try {
      result.replaced_version = PluginManifest::Load(result.path / kManifestFileName).version;
    } catch (const Error&) {
      result.replaced_version = "(unreadable)";
    }
    if (result.replaced_version != manifest.version && !request.force && !request.replace_version) {
      throw Error(ErrorCode::kInvalidInput, "plugin '" + manifest.name + "' " + result.replaced_version + " is installed at " +
                                                result.path.string() + "; use --force to replace it with " + manifest.version);
    }
  }

  CheckSignerKept(request, result);

  fs::path staged = staging.path() / manifest.name;
  CreateDirectories(staged);
  fs::copy_file(source_dir / manifest.library, staged / manifest.library);
  fs::permissions(staged / manifest.library, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                                 fs::perms::others_read | fs::perms::others_exec);
  // The copy is checked again: what lands is exactly what was verified.
  CheckManifest(manifest, staged / kManifestFileName).ThrowIfError();
  // The manifest as it was read, byte for byte: the record binds its sha256,
  // which is the one the signature covered, and the signature stays beside
  // it, so that installing the directory again in place verifies again.
  WriteFileAtomic(staged / kManifestFileName, manifest_bytes);
  if (result.signer != kUnsigned) fs::copy_file(signature, staged / kSignatureFileName);

  if (fs::exists(result.path)) {
    Swap(staged, result.path);  // The old version now sits in staging and goes with it.
  } else if (rename(staged.c_str(), result.path.c_str()) != 0) {
    throw Error(ErrorCode::kFailure, "cannot install into " + result.path.string() + ": " + std::strerror(errno));
  }
  RecordInstall({.name = manifest.name,
                 .version = manifest.version,
                 .path = fs::absolute(result.path),
                 .library = manifest.library,
                 .sha256 = manifest.sha256,
                 .manifest_sha256 = Sha256Hex(manifest_bytes),
                 .signer = result.signer,
                 .signer_name = result.signer_name,
                 .installed_at = NowRfc3339(),
                 .index = request.index,
                 .pinned_version = request.pinned_version,
                 .artifact = request.artifact},
                request.record.empty() ? InstallRecordFile() : request.record);
  log::Info("installed plugin {} {} into {} (signer: {})", manifest.name, manifest.version, result.path.string(), result.signer);
  return result;
}

fs::path RemovePlugin(const std::string& name, const fs::path& destination, const fs::path& record) {
  if (!IsValidPluginName(name)) throw Error(ErrorCode::kInvalidInput, "invalid plugin name '" + name + "'");
  fs::path path = destination / name;
  if (!fs::exists(path / kManifestFileName)) {
    throw Error(ErrorCode::kNotFound, "plugin '" + name + "' is not installed in " + destination.string());
  }
  // Rename first so a half-removed plugin is never discoverable.
  TempDir trash(".remove", destination);
  if (rename(path.c_str(), (trash.path() / name).c_str()) != 0) {
    throw Error(ErrorCode::kFailure, "cannot remove " + path.string() + ": " + std::strerror(errno));
  }
  ForgetInstall(fs::absolute(path), record.empty() ? InstallRecordFile() : record);
  return path;
}

}  // namespace berth::host
