// What `berth plugin install` installed: one entry per installed plugin
// directory in $XDG_DATA_HOME/berth/installed-plugins.json (0644, replaced
// atomically). An entry binds the plugin to what was installed: the sha256
// of its manifest's bytes, its library's file name and sha256, and who
// signed it. The host compares a recorded plugin with it before loading, so
// a plugin whose manifest or library changed since (a `git pull` into a
// project's .berth/plugins, another tool, an edit) is refused until it is
// installed again.
#ifndef BERTH_HOST_CORE_PLUGINS_INSTALL_RECORD_H_
#define BERTH_HOST_CORE_PLUGINS_INSTALL_RECORD_H_

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "berth/error.h"

namespace berth::host {

inline constexpr char kUnsigned[] = "unsigned";

struct InstalledPlugin {
  std::string name;
  std::string version;
  std::filesystem::path path;   // The installed plugin directory (absolute).
  std::string library;          // File name inside path.
  std::string sha256;           // Of the library as installed.
  // Of the manifest file as installed: the bytes its signature covered.
  // Empty in entries written before berth recorded it (record schema 1).
  std::string manifest_sha256;
  std::string signer;           // "sha256:<key fingerprint>" or "unsigned".
  std::string signer_name;      // The trusted key's name; empty when unsigned.
  std::string installed_at;     // RFC 3339, UTC.
  // Where it came from, when that was a plugin index (`berth plugin install
  // [INDEX/]NAME[@VERSION]`): `berth plugin upgrade` follows that index,
  // unless a version was asked for.
  std::string index;            // The index's name; empty otherwise.
  std::string pinned_version;   // The version asked for; empty: the newest.
  std::string artifact;         // The registry reference with its digest, for any install from a registry.
};

// A plugin directory as it is now, for InstallRecord::Check.
struct PluginFilesNow {
  std::string manifest_sha256;  // Of the manifest's bytes as read (and parsed).
  std::string library;          // The library file name that manifest gives.
  // The sha256 of that library, read from the descriptor it would be loaded
  // from; throws Error when it cannot be read. Asked only once the library
  // name agrees with the record.
  std::function<std::string()> library_sha256;
};

std::filesystem::path InstallRecordFile();

// Adds or replaces the entry for plugin.path.
void RecordInstall(const InstalledPlugin& plugin, const std::filesystem::path& file = InstallRecordFile());
void ForgetInstall(const std::filesystem::path& plugin_dir, const std::filesystem::path& file = InstallRecordFile());

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
  std::vector<InstalledPlugin> All() const;
  // Ok when plugin_dir is not in the record. Else a refusal (kPlugin), one
  // line naming the file and what changed since the install, then
  // `way_out` (how to install it again), when: the entry is of a berth that
  // did not record the manifest; the manifest names another library; the
  // library is missing or has another sha256; the manifest has another
  // sha256. The record's library name is compared, never opened.
  Status Check(const std::filesystem::path& plugin_dir, const PluginFilesNow& now, const std::string& way_out) const;

 private:
  std::filesystem::path file_;
  std::map<std::string, InstalledPlugin> by_path_;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_INSTALL_RECORD_H_
