#include "core/plugins/install_record.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "berth/manifest.h"  // kManifestFileName
#include "berth/util/fs.h"
#include "core/config/host_paths.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

// 2: entries bind the manifest (manifest_sha256). Entries of schema 1 are
// read, and refused at load until their plugin is installed again.
constexpr int kRecordSchema = 2;

nlohmann::json Load(const fs::path& file) {
  if (!fs::exists(file)) return {{"schema", kRecordSchema}, {"plugins", nlohmann::json::array()}};
  nlohmann::json record = nlohmann::json::parse(ReadFile(file), nullptr, false);
  if (record.is_discarded() || !record.is_object() || !record.contains("plugins") || !record["plugins"].is_array()) {
    throw Error(ErrorCode::kInvalidInput, file.string() + ": not a berth installed-plugins record");
  }
  return record;
}

// Canonical, so the installer's path and discovery's (which resolves
// symlinks in the search directories) name one plugin the same way.
std::string Key(const fs::path& dir) {
  std::error_code error;
  fs::path canonical = fs::weakly_canonical(fs::absolute(dir), error);
  return (error ? fs::absolute(dir).lexically_normal() : canonical).string();
}

InstalledPlugin FromJson(const nlohmann::json& item) {
  auto text = [&](const char* name) { return item.contains(name) && item[name].is_string() ? item[name].get<std::string>() : ""; };
  return {.name = text("name"),
          .version = text("version"),
          .path = text("path"),
          .library = text("library"),
          .sha256 = text("sha256"),
          .manifest_sha256 = text("manifest_sha256"),
          .signer = text("signer"),
          .signer_name = text("signer_name"),
          .installed_at = text("installed_at"),
          .index = text("index"),
          .pinned_version = text("pinned_version"),
          .artifact = text("artifact")};
}

// Serialises read-modify-write of the record between concurrent installs.
class RecordLock {
 public:
  explicit RecordLock(const fs::path& file) {
    CreateDirectories(file.parent_path());
    fd_ = open((file.string() + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 || flock(fd_, LOCK_EX) != 0) throw Error(ErrorCode::kFailure, "cannot lock " + file.string() + ".lock");
  }
  ~RecordLock() { close(fd_); }
  RecordLock(const RecordLock&) = delete;
  RecordLock& operator=(const RecordLock&) = delete;

 private:
  int fd_ = -1;
};

void Update(const fs::path& file, const fs::path& plugin_dir, const std::optional<InstalledPlugin>& plugin) {
  RecordLock lock(file);
  nlohmann::json record = Load(file);
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& item : record["plugins"]) {
    if (FromJson(item).path != Key(plugin_dir)) kept.push_back(item);
  }
  if (plugin) {
    nlohmann::json entry = {{"name", plugin->name},
                            {"version", plugin->version},
                            {"path", Key(plugin->path)},
                            {"library", plugin->library},
                            {"sha256", plugin->sha256},
                            {"manifest_sha256", plugin->manifest_sha256},
                            {"signer", plugin->signer},
                            {"signer_name", plugin->signer_name},
                            {"installed_at", plugin->installed_at}};
    // Only when there is something to say, so the entries of plugins
    // installed from a directory read as they always did.
    if (!plugin->index.empty()) entry["index"] = plugin->index;
    if (!plugin->pinned_version.empty()) entry["pinned_version"] = plugin->pinned_version;
    if (!plugin->artifact.empty()) entry["artifact"] = plugin->artifact;
    kept.push_back(entry);
  }
  record["schema"] = kRecordSchema;
  record["plugins"] = kept;
  WriteFileAtomic(file, record.dump(2) + "\n", 0644);
}

}  // namespace

fs::path InstallRecordFile() { return UserDataDir() / "installed-plugins.json"; }

void RecordInstall(const InstalledPlugin& plugin, const fs::path& file) { Update(file, plugin.path, plugin); }

void ForgetInstall(const fs::path& plugin_dir, const fs::path& file) { Update(file, plugin_dir, std::nullopt); }

InstallRecord InstallRecord::Read(const fs::path& file) {
  InstallRecord record;
  record.file_ = file;
  const nlohmann::json json = Load(file);
  for (const auto& item : json["plugins"]) {
    InstalledPlugin plugin = FromJson(item);
    record.by_path_.emplace(plugin.path, std::move(plugin));  // The first entry of a path wins, as it always did.
  }
  return record;
}

std::optional<InstalledPlugin> InstallRecord::Find(const fs::path& plugin_dir) const {
  if (by_path_.empty()) return std::nullopt;
  auto it = by_path_.find(Key(plugin_dir));
  if (it == by_path_.end()) return std::nullopt;
  return it->second;
}

std::vector<InstalledPlugin> InstallRecord::All() const {
  std::vector<InstalledPlugin> all;
  for (const auto& [path, plugin] : by_path_) all.push_back(plugin);
  return all;
}

Status InstallRecord::Check(const fs::path& plugin_dir, const PluginFilesNow& now, const std::string& way_out) const {
  std::optional<InstalledPlugin> installed = Find(plugin_dir);
  if (!installed) return Status::Ok();
  auto refuse = [&](const fs::path& what, const std::string& problem) {
    return Status(ErrorCode::kPlugin, "plugin " + what.string() + ": " + problem + "; " + way_out);
  };
  if (installed->manifest_sha256.empty()) {
    return refuse(plugin_dir, "installed by an earlier berth, whose record (" + file_.string() +
                                  ") does not bind its manifest");
  }
  // Compared before anything is read: a manifest repointed at a new library
  // (a `git pull` that adds libevil.so) is refused without opening it.
  if (now.library != installed->library) {
    return refuse(plugin_dir, "its manifest names the library " + now.library + ", not the " + installed->library +
                                  " that was installed (" + file_.string() + ")");
  }
  const fs::path library = plugin_dir / installed->library;
  std::string actual;
  try {
    actual = now.library_sha256();
  } catch (const Error&) {
    return refuse(library, "library is missing or unreadable (recorded in " + file_.string() + ")");
  }
  if (actual != installed->sha256) {
    return refuse(library, "changed since it was installed (sha256 " + actual + ", recorded " + installed->sha256 + " in " +
                               file_.string() + ")");
  }
  if (now.manifest_sha256 != installed->manifest_sha256) {
    return refuse(plugin_dir / kManifestFileName, "changed since it was installed (sha256 " + now.manifest_sha256 +
                                                      ", recorded " + installed->manifest_sha256 + " in " + file_.string() + ")");
  }
  return Status::Ok();
}

}  // namespace berth::host
