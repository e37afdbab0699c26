#include "host_paths.h"

#include <unistd.h>

#include <cstdlib>

namespace berth::host {
namespace fs = std::filesystem;

fs::path ExecutableDir() {
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  return error ? fs::current_path() : exe.parent_path();
}

fs::path UserDataDir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') return fs::path(xdg) / "berth";
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : "/") / ".local" / "share" / "berth";
}

fs::path UserConfigFile() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && xdg[0] == '/') return fs::path(xdg) / "berth" / "config.yaml";
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : "/") / ".config" / "berth" / "config.yaml";
}

std::optional<fs::path> FindProjectDir(const fs::path& config_file) {
  std::error_code error;
  if (!config_file.empty()) return fs::absolute(config_file, error).parent_path();
  fs::path dir = fs::current_path(error);
  if (error) return std::nullopt;
  while (true) {
    if (fs::exists(dir / "berth.yaml", error) || fs::is_directory(dir / ".berth", error)) return dir;
    if (dir == dir.root_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

}  // namespace berth::host
