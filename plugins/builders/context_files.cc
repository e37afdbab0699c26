#include "context_files.h"

#include <algorithm>
#include <set>

#include "berth/error.h"
#include "dockerignore.h"
#include "secret_files.h"

namespace berth::builders {
namespace fs = std::filesystem;
namespace {

bool UnderAny(const std::string& relative, const std::vector<std::string>& prefixes) {
  for (const auto& prefix : prefixes) {
    if (relative == prefix || relative.rfind(prefix + "/", 0) == 0) return true;
  }
  return false;
}

std::string Normal(const std::string& path) { return fs::path(path).lexically_normal().generic_string(); }

}  // namespace

std::vector<ContextEntry> SelectContextFiles(const fs::path& context, const ContextRules& rules) {
  std::error_code error;
  if (!fs::is_directory(context, error)) throw Error(ErrorCode::kInvalidInput, "build context " + context.string() + " is not a directory");
  const DockerIgnore ignore = DockerIgnore::Load(context);
  std::set<std::string> include_secrets;
  for (const auto& item : rules.include_secrets) include_secrets.insert(Normal(item));

  std::vector<ContextEntry> kept;
  std::set<std::string> kept_names;
  for (auto it = fs::recursive_directory_iterator(context, fs::directory_options::none); it != fs::recursive_directory_iterator(); ++it) {
    // lexically: fs::relative would follow a symlink to its target.
    std::string relative = it->path().lexically_relative(context).generic_string();
    const bool is_directory = it->is_directory() && !it->is_symlink();
    if (UnderAny(relative, rules.always_excluded) || ignore.Excludes(relative)) {
      // Without exceptions nothing below an excluded directory comes back.
      if (is_directory && (!ignore.HasExceptions() || UnderAny(relative, rules.always_excluded))) it.disable_recursion_pending();
      continue;
    }
    kept.push_back({relative, it->path()});
    kept_names.insert(relative);
  }
  // A file an exception brought back needs its directories in the layer.
  std::vector<ContextEntry> parents;
  for (const auto& entry : kept) {
    for (size_t slash = entry.relative.find('/'); slash != std::string::npos; slash = entry.relative.find('/', slash + 1)) {
      std::string parent = entry.relative.substr(0, slash);
      if (kept_names.insert(parent).second) parents.push_back({parent, context / parent});
    }
  }
  kept.insert(kept.end(), parents.begin(), parents.end());
  std::sort(kept.begin(), kept.end());

  for (const auto& entry : kept) {
    if (!fs::is_regular_file(fs::symlink_status(entry.path, error)) || include_secrets.count(entry.relative)) continue;
    if (auto kind = SecretKind(entry.path)) {
      throw Error(ErrorCode::kInvalidInput, "build context file " + entry.relative + " looks like a secret (" + *kind +
                                                "): leave it out with .dockerignore, or list it under build.include-secrets to pack it deliberately");
    }
  }
  return kept;
}

}  // namespace berth::builders
