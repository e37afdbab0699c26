// What of a build context goes into berth's builder's layer: everything but
// berth's and git's own folders and what .dockerignore leaves out, and
// never a file that looks like a secret (secret_files.h) unless the project
// lists it in build.include-secrets.
#ifndef BERTH_PLUGINS_BUILDERS_CONTEXT_FILES_H_
#define BERTH_PLUGINS_BUILDERS_CONTEXT_FILES_H_

#include <filesystem>
#include <string>
#include <vector>

namespace berth::builders {

struct ContextEntry {
  std::string relative;         // "static/index.html", `/`-separated.
  std::filesystem::path path;   // In the context, not followed if a symlink.
  bool operator<(const ContextEntry& other) const { return relative < other.relative; }
};

struct ContextRules {
  // Context-relative paths (or their leading directories) always left out.
  std::vector<std::string> always_excluded = {".git", ".berth"};
  // Context-relative files packed although they look like secrets.
  std::vector<std::string> include_secrets;
};

// The entries to pack, sorted by `relative`, so the walk's order never
// shows in the layer. A directory left out by .dockerignore stays out
// unless an exception brings back something in it (then it is packed with
// just that). Throws Error(kInvalidInput) naming the first file, in that
// order, that looks like a secret and is neither excluded nor included.
std::vector<ContextEntry> SelectContextFiles(const std::filesystem::path& context, const ContextRules& rules);

}  // namespace berth::builders

#endif  // BERTH_PLUGINS_BUILDERS_CONTEXT_FILES_H_
