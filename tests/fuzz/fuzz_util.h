// Shared bits of the libFuzzer harnesses: inputs as text, a private scratch
// directory for parsers that read files, and the rule that a berth::Error
// (the documented way a parser refuses input) is an expected outcome while
// anything else escaping (another exception, a crash, UB) is a finding.
#ifndef BERTH_TESTS_FUZZ_FUZZ_UTIL_H_
#define BERTH_TESTS_FUZZ_FUZZ_UTIL_H_

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "berth/error.h"

namespace berth::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

// One directory per process, reused by every input (libFuzzer runs inputs one
// after another in a process), removed at exit.
inline const std::filesystem::path& ScratchDir() {
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "berth-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    std::filesystem::path path = pattern;
    static struct Remover {
      std::filesystem::path path;
      ~Remover() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
      }
    } remover{path};
    return path;
  }();
  return dir;
}

inline void WriteBytes(const std::filesystem::path& file, std::string_view bytes) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

// Runs fn; a berth::Error is the parser refusing the input, which is fine.
template <typename Fn>
void Expect(Fn&& fn) {
  try {
    fn();
  } catch (const berth::Error&) {
  }
}

// Splits input into parts at a separator line, for harnesses that need
// several files from one input.
inline std::vector<std::string_view> SplitParts(std::string_view text, std::string_view separator = "\n====\n") {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = text.find(separator);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + separator.size());
  }
  parts.push_back(text);
  return parts;
}

}  // namespace berth::fuzz

#endif  // BERTH_TESTS_FUZZ_FUZZ_UTIL_H_
