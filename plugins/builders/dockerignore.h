// .dockerignore as Docker reads it (moby/patternmatcher), so berth's builder
// leaves out what `docker build` would: one pattern a line, `#` comments,
// `!` exceptions, filepath.Match wildcards (`*`, `?`, `[...]`, `\`) that do
// not cross `/`, `**` for any number of directories, and the last matching
// line wins. Unlike .gitignore a pattern is anchored at the context's root
// (`*.key` matches `a.key`, not `dir/a.key`; write `**/*.key`), and a path
// is excluded when a pattern matches it or any of its parent directories.
#ifndef BERTH_PLUGINS_BUILDERS_DOCKERIGNORE_H_
#define BERTH_PLUGINS_BUILDERS_DOCKERIGNORE_H_

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

namespace berth::builders {

class DockerIgnore {
 public:
  // The patterns of a .dockerignore's text. Throws Error(kInvalidInput)
  // naming `source` and the line of a pattern that cannot be compiled.
  static DockerIgnore Parse(const std::string& text, const std::string& source = ".dockerignore");
  // CONTEXT/.dockerignore, or no patterns when there is none.
  static DockerIgnore Load(const std::filesystem::path& context);

  // `relative` is context-relative with `/` separators ("dir/a.key").
  bool Excludes(const std::string& relative) const;
  // With exceptions an excluded directory may still hold included files,
  // so its walk cannot be cut short.
  bool HasExceptions() const { return has_exceptions_; }
  bool empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    std::string text;  // Cleaned, as Docker keeps it.
    std::regex regex;
    bool exception = false;
  };
  bool Matches(const Pattern& pattern, const std::string& relative) const;

  std::vector<Pattern> patterns_;
  bool has_exceptions_ = false;
};

}  // namespace berth::builders

#endif  // BERTH_PLUGINS_BUILDERS_DOCKERIGNORE_H_
