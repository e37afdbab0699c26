// Plugin packages for the e2e tests of `plugin install`, `sign` and
// `publish`: signing keys (tests/support/signing_keys.h), and packages whose
// library claims the other 64-bit machine or musl.
#ifndef BERTH_TESTS_E2E_PLUGIN_PACKAGES_H_
#define BERTH_TESTS_E2E_PLUGIN_PACKAGES_H_

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"
#include "signing_keys.h"

namespace berth::testing {

inline constexpr uint16_t kElfX86_64 = 62;    // EM_X86_64
inline constexpr uint16_t kElfAarch64 = 183;  // EM_AARCH64

// Rewrites the plugin's library for the other 64-bit machine (x86_64 <->
// aarch64), and the manifest's sha256 to match; returns the machine written.
inline uint16_t MakeForeignArchitecture(const std::filesystem::path& plugin_dir, const std::string& library_name) {
  std::filesystem::path library = plugin_dir / library_name;
  std::string bytes = ReadFile(library);
  EXPECT_EQ(bytes.substr(1, 3), "ELF");
  uint16_t foreign = uint8_t(bytes[18]) == kElfX86_64 ? kElfAarch64 : kElfX86_64;
  bytes[18] = char(foreign & 0xff);
  bytes[19] = char(foreign >> 8);
  WriteFileAtomic(library, bytes, 0755);
  auto manifest = nlohmann::json::parse(ReadFile(plugin_dir / "berth-plugin.json"));
  manifest["sha256"] = Sha256FileHex(library);
  WriteFileAtomic(plugin_dir / "berth-plugin.json", manifest.dump(2));
  return foreign;
}

// Rewrites the plugin's library to name musl's C library ("libc.so") where
// it names glibc's ("libc.so.6", the same length with its padding), and the
// manifest's sha256 to match: a musl build, as far as anything reading its
// DT_NEEDED entries can tell.
inline void MakeMuslLinked(const std::filesystem::path& plugin_dir, const std::string& library_name) {
  std::filesystem::path library = plugin_dir / library_name;
  std::string bytes = ReadFile(library);
  const std::string glibc("libc.so.6\0", 10), musl("libc.so\0\0\0", 10);
  size_t at = bytes.find(glibc);
  ASSERT_NE(at, std::string::npos) << library << " names no libc.so.6";
  bytes.replace(at, glibc.size(), musl);
  WriteFileAtomic(library, bytes, 0755);
  auto manifest = nlohmann::json::parse(ReadFile(plugin_dir / "berth-plugin.json"));
  manifest["sha256"] = Sha256FileHex(library);
  WriteFileAtomic(plugin_dir / "berth-plugin.json", manifest.dump(2));
}

}  // namespace berth::testing

#endif  // BERTH_TESTS_E2E_PLUGIN_PACKAGES_H_
