#include "core/plugins/install_record.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "core/config/host_paths.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr int kRecordSchema = 1;

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
  return {text("name"),   text("version"), text("path"), text("library"), text("sha256"),
          text("signer"), text("signer_name"), text("installed_at")};
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
    kept.push_back({{"name", plugin->name},
                    {"version", plugin->version},
                    {"path", Key(plugin->path)},
                    {"library", plugin->library},
                    {"sha256", plugin->sha256},
                    {"signer", plugin->signer},
                    {"signer_name", plugin->signer_name},
                    {"installed_at", plugin->installed_at}});
  }
  record["schema"] = kRecordSchema;
  record["plugins"] = kept;
  WriteFileAtomic(file, record.dump(2) + "\n", 0644);
}

}  // namespace

fs::path InstallRecordFile() { return UserDataDir() / "installed-plugins.json"; }

void RecordInstall(const InstalledPlugin& plugin, const fs::path& file) { Update(file, plugin.path, plugin); }

void ForgetInstall(const fs::path& plugin_dir, const fs::path& file) { Update(file, plugin_dir, std::nullopt); }

std::optional<InstalledPlugin> FindInstall(const fs::path& plugin_dir, const fs::path& file) {
  return InstallRecord::Read(file).Find(plugin_dir);
}

Status CheckInstalledLibrary(const fs::path& plugin_dir, const fs::path& file) {
  return Capture([&] { InstallRecord::Read(file).CheckLibrary(plugin_dir, Sha256FileHex).ThrowIfError(); });
}

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

Status InstallRecord::CheckLibrary(const fs::path& plugin_dir, const LibrarySha256& sha256_of) const {
  return Capture([&] {
    std::optional<InstalledPlugin> installed = Find(plugin_dir);
    if (!installed) return;
    fs::path library = plugin_dir / installed->library;
    std::string actual;
    try {
      actual = sha256_of(library);
    } catch (const Error&) {
      throw Error(ErrorCode::kPlugin, "plugin " + library.string() + ": library is missing (recorded in " + file_.string() + ")");
    }
    if (actual != installed->sha256) {
      throw Error(ErrorCode::kPlugin, "plugin " + library.string() + ": sha256 " + actual + " is not the " + installed->sha256 +
                                          " recorded at install (" + file_.string() + "); reinstall the plugin");
    }
  });
}

}  // namespace berth::host
