#include "core/config/host_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "berth/util/log.h"

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

fs::path UserCacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') return fs::path(xdg) / "berth";
  const char* home = std::getenv("HOME");
  if (home == nullptr || home[0] != '/') return {};
  return fs::path(home) / ".cache" / "berth";
}

std::optional<std::string> UntrustedProjectFile(const fs::path& candidate) {
  struct stat link {};
  if (lstat(candidate.c_str(), &link) != 0) return "cannot be examined";
  const uid_t me = geteuid();
  auto foreign = [&](uid_t owner) { return owner != 0 && owner != me; };
  auto owned_by = [&](uid_t owner) {
    return "owned by uid " + std::to_string(owner) + ", not by you (uid " + std::to_string(me) + ") or root";
  };
  if (foreign(link.st_uid)) return owned_by(link.st_uid);
  struct stat target {};
  if (S_ISLNK(link.st_mode) && stat(candidate.c_str(), &target) == 0 && foreign(target.st_uid)) return owned_by(target.st_uid);
  // In a directory anyone may write to, anyone could have put it there; the
  // sticky bit (/tmp) keeps others from replacing a file they do not own,
  // and the owner was checked above.
  struct stat parent {};
  if (stat(candidate.parent_path().c_str(), &parent) == 0 && (parent.st_mode & S_IWOTH) != 0 && (parent.st_mode & S_ISVTX) == 0) {
    return "in " + candidate.parent_path().string() + ", which anyone may write to";
  }
  return std::nullopt;
}

std::optional<fs::path> FindProjectDirFrom(fs::path dir) {
  std::error_code error;
  while (true) {
    bool found = false, trusted = true;
    for (const char* name : {"berth.yaml", ".berth"}) {
      fs::path candidate = dir / name;
      if (!fs::exists(fs::symlink_status(candidate, error)) || (name[0] == '.' && !fs::is_directory(candidate, error))) continue;
      found = true;
      if (auto reason = UntrustedProjectFile(candidate)) {
        // Like git's safe.directory: a file another user controls does not
        // configure what this user's berth runs or where it sends credentials.
        // The whole directory is skipped: its berth.yaml would be read even if
        // it was found through .berth/.
        log::Warn("ignoring {}: {}", candidate.string(), *reason);
        trusted = false;
      }
    }
    if (found && trusted) return dir;
    if (dir == dir.root_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

std::optional<fs::path> FindProjectDir(const fs::path& config_file) {
  std::error_code error;
  if (!config_file.empty()) return fs::absolute(config_file, error).parent_path();
  fs::path dir = fs::current_path(error);
  if (error) return std::nullopt;
  return FindProjectDirFrom(dir);
}

}  // namespace berth::host
