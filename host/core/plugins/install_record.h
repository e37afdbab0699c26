// What `berth plugin install` installed: one entry per installed plugin
// directory in $XDG_DATA_HOME/berth/installed-plugins.json (0644, replaced
// atomically). The host compares a recorded plugin's library with it before
// loading, so a library changed after install is refused even when its
// manifest was changed to match.
#ifndef BERTH_HOST_CORE_PLUGINS_INSTALL_RECORD_H_
#define BERTH_HOST_CORE_PLUGINS_INSTALL_RECORD_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "berth/error.h"
#include "berth/plugin_loader.h"  // LibrarySha256

namespace berth::host {

inline constexpr char kUnsigned[] = "unsigned";

struct InstalledPlugin {
  std::string name;
  std::string version;
  std::filesystem::path path;  // The installed plugin directory (absolute).
  std::string library;         // File name inside path.
  std::string sha256;          // Of the library as installed.
  std::string signer;          // "sha256:<key fingerprint>" or "unsigned".
  std::string signer_name;     // The trusted key's name; empty when unsigned.
  std::string installed_at;    // RFC 3339, UTC.
};

std::filesystem::path InstallRecordFile();

// Adds or replaces the entry for plugin.path.
void RecordInstall(const InstalledPlugin& plugin, const std::filesystem::path& file = InstallRecordFile());
void ForgetInstall(const std::filesystem::path& plugin_dir, const std::filesystem::path& file = InstallRecordFile());
std::optional<InstalledPlugin> FindInstall(const std::filesystem::path& plugin_dir,
                                           const std::filesystem::path& file = InstallRecordFile());

// Ok when plugin_dir was not installed by `berth plugin install` or its
// library still has the recorded sha256; else a refusal naming the library.
Status CheckInstalledLibrary(const std::filesystem::path& plugin_dir, const std::filesystem::path& file = InstallRecordFile());

// The record as read once: discovery asks it about every plugin, and reading
// and parsing the file for each of them grew with the square of the number
// of plugins installed.
class InstallRecord {
 public:
  // Throws Error(kInvalidInput) naming the file when it is not a record;
  // a missing file is an empty record.
  static InstallRecord Read(const std::filesystem::path& file = InstallRecordFile());
  const std::filesystem::path& file() const { return file_; }
  std::optional<InstalledPlugin> Find(const std::filesystem::path& plugin_dir) const;
  // CheckInstalledLibrary against this record, with the library's sha256
  // from `sha256_of` (which may remember it between runs).
  Status CheckLibrary(const std::filesystem::path& plugin_dir, const LibrarySha256& sha256_of) const;

 private:
  std::filesystem::path file_;
  std::map<std::string, InstalledPlugin> by_path_;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_INSTALL_RECORD_H_
