// The manifest beside every plugin library (berth-plugin.json): what the host
// knows about a plugin without loading it. `berth-plugin-manifest` writes it
// at build time from the plugin's own registration, so it cannot drift.
#ifndef BERTH_MANIFEST_H_
#define BERTH_MANIFEST_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "berth/plugin.h"  // Provision

namespace berth {

inline constexpr char kManifestFileName[] = "berth-plugin.json";
// Schema 2: the C boundary (abi_major/abi_minor); schema 1 manifests are of
// plugins built for the C++ boundary of berth 0.1, which no longer load.
inline constexpr int kManifestSchema = 2;

struct ManifestCommand {
  std::string path;
  std::string summary;
};

struct PluginManifest {
  std::string name;
  std::string version;
  std::string description;
  uint32_t abi_major = 0;   // Must equal this berth's BERTH_ABI_MAJOR.
  uint32_t abi_minor = 0;   // What the plugin's headers had; informational.
  std::string built_with;   // Compiler and standard library; informational.
  std::string library;   // File name, relative to the manifest's directory.
  std::string sha256;    // Of the library file.
  std::vector<Provision> provides;
  std::vector<ManifestCommand> commands;

  // Throws Error(kPlugin) naming `file` when it is unreadable, not JSON, or
  // misses a field.
  static PluginManifest Load(const std::filesystem::path& file);
  // The same from bytes already read, so that what is parsed is exactly what
  // was hashed (the install record binds the manifest's sha256); `file`
  // names it in messages.
  static PluginManifest Parse(std::string_view bytes, const std::filesystem::path& file);
  static PluginManifest FromJson(const nlohmann::json& json, const std::filesystem::path& file);
  nlohmann::json ToJson() const;
};

// Plugin names become directory and command names: [a-z][a-z0-9-]{0,63}.
bool IsValidPluginName(std::string_view name);

}  // namespace berth

#endif  // BERTH_MANIFEST_H_
