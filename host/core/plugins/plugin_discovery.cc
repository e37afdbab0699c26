#include "core/plugins/plugin_discovery.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "core/config/host_paths.h"

#ifndef BERTH_INSTALL_PREFIX
#define BERTH_INSTALL_PREFIX "/usr/local"
#endif

namespace berth::host {
namespace fs = std::filesystem;
namespace {

std::string ReadManifest(const fs::path& file) {
  try {
    return ReadFile(file);
  } catch (const Error& e) {
    throw Error(ErrorCode::kPlugin, e.what());  // As PluginManifest::Load reports it.
  }
}

}  // namespace

const char* PluginSourceName(PluginSource source) {
  switch (source) {
    case PluginSource::kBundled: return "bundled";
    case PluginSource::kPluginPath: return "BERTH_PLUGIN_PATH";
    case PluginSource::kUser: return "user";
    case PluginSource::kProject: return "project";
  }
  return "unknown";
}

fs::path UserPluginDir() { return UserDataDir() / "plugins"; }

std::vector<SearchDir> PluginSearchDirs(const std::optional<fs::path>& project_dir) {
  std::vector<SearchDir> dirs;
  auto add = [&](fs::path path, PluginSource source) {
    std::error_code error;
    fs::path canonical = fs::weakly_canonical(path, error);
    if (error) canonical = path.lexically_normal();
    for (const auto& existing : dirs) {
      if (existing.path == canonical) return;
    }
    dirs.push_back({canonical, source});
  };
  add(ExecutableDir().parent_path() / "lib" / "berth" / "plugins", PluginSource::kBundled);
  add(fs::path(BERTH_INSTALL_PREFIX) / "lib" / "berth" / "plugins", PluginSource::kBundled);
  if (const char* env = std::getenv("BERTH_PLUGIN_PATH"); env != nullptr) {
    std::string_view list(env);
    while (!list.empty()) {
      size_t colon = list.find(':');
      std::string dir(list.substr(0, colon));
      if (!dir.empty()) add(dir, PluginSource::kPluginPath);
      list = colon == std::string_view::npos ? std::string_view() : list.substr(colon + 1);
    }
  }
  add(UserPluginDir(), PluginSource::kUser);
  if (project_dir) add(*project_dir / ".berth" / "plugins", PluginSource::kProject);
  return dirs;
}

std::vector<DiscoveredPlugin> DiscoverPlugins(const std::vector<SearchDir>& dirs) {
  std::vector<DiscoveredPlugin> found;
  for (const auto& dir : dirs) {
    std::error_code error;
    if (!fs::is_directory(dir.path, error)) continue;
    std::vector<fs::path> children;
    for (const auto& entry : fs::directory_iterator(dir.path, error)) {
      if (entry.is_directory(error) && entry.path().filename().string()[0] != '.' &&
          fs::exists(entry.path() / kManifestFileName, error)) {
        children.push_back(entry.path());
      }
    }
    std::sort(children.begin(), children.end());
    for (const auto& child : children) {
      DiscoveredPlugin plugin;
      plugin.manifest_path = child / kManifestFileName;
      plugin.source = dir.source;
      plugin.name = child.filename().string();
      try {
        // One reading is hashed and parsed: the install record binds the
        // manifest by that hash.
        std::string bytes = ReadManifest(plugin.manifest_path);
        plugin.manifest_sha256 = Sha256Hex(bytes);
        plugin.manifest = PluginManifest::Parse(bytes, plugin.manifest_path);
        plugin.name = plugin.manifest->name;
      } catch (const Error& e) {
        plugin.state = Status(e.code(), e.what());
      }
      found.push_back(std::move(plugin));
    }
  }
  std::map<std::string, size_t> first_by_name;
  for (size_t i = 0; i < found.size(); ++i) {
    auto [it, inserted] = first_by_name.emplace(found[i].name, i);
    if (inserted) continue;
    DiscoveredPlugin& first = found[it->second];
    std::string message = "plugin '" + found[i].name + "' found twice: " + first.manifest_path.string() + " and " +
                          found[i].manifest_path.string();
    first.state = Status(ErrorCode::kPlugin, message);
    found[i].state = Status(ErrorCode::kPlugin, message);
  }
  return found;
}

}  // namespace berth::host
