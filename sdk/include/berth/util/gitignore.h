// Keeps the secret files berth writes (cosign.key, .asap-config, env files,
// berth's local state) out of git: a `git add -A` must not stage a private key.
//
// A file is ignored through the .gitignore of the directory that holds it,
// and only where that is a project: the directory holds berth.yaml, or it is
// inside a git work tree. A key written to, say, ~/keys is left alone.
#ifndef BERTH_UTIL_GITIGNORE_H_
#define BERTH_UTIL_GITIGNORE_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace berth {

// True when `dir` holds berth.yaml or is inside a git work tree (a `.git`
// in it or above it).
bool IsProjectDirectory(const std::filesystem::path& dir);

// Appends to DIR/.gitignore each of `patterns` it does not already have
// (`cosign.key` and `/cosign.key` count as the same line), creating the file
// when missing. Returns the patterns it added.
std::vector<std::string> AddToGitignore(const std::filesystem::path& dir, const std::vector<std::string>& patterns);

// For a file berth just wrote: when its directory is a project, adds
// `/NAME` to that directory's .gitignore unless it is there already (and
// says so at info level). Returns that .gitignore; nullopt when the
// directory is no project. Safe to call twice for one file.
std::optional<std::filesystem::path> KeepOutOfGit(const std::filesystem::path& file);

}  // namespace berth

#endif  // BERTH_UTIL_GITIGNORE_H_
