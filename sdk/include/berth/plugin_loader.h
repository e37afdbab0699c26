// Loading one plugin library, with every check in a fixed order and a
// one-line message naming the file for each way it can fail:
//   before dlopen: manifest ABI version, manifest build id, library sha256;
//   after dlopen:  entry point present, entry ABI version and build id,
//                  name matches the manifest, registration succeeds.
#ifndef BERTH_PLUGIN_LOADER_H_
#define BERTH_PLUGIN_LOADER_H_

#include <filesystem>
#include <memory>
#include <string>

#include "berth/abi.h"
#include "berth/error.h"
#include "berth/manifest.h"
#include "berth/plugin.h"

namespace berth {

// This build's build id, as the host and SDK were compiled.
const char* HostBuildId() noexcept;

// Checks a manifest against this host and against the library beside it,
// without loading anything. `manifest_path` names the manifest in messages.
Status CheckManifest(const PluginManifest& manifest, const std::filesystem::path& manifest_path);

class LoadedPlugin {
 public:
  ~LoadedPlugin();
  const BerthPluginEntry& entry() const { return *entry_; }
  const std::filesystem::path& path() const { return path_; }
  bool registered() const { return registrar_ != nullptr; }
  Registrar& registrar() { return *registrar_; }

 private:
  friend Result<std::unique_ptr<LoadedPlugin>> LoadPluginLibrary(const std::filesystem::path&, const std::string&, bool);
  struct Library;
  LoadedPlugin();
  std::unique_ptr<Library> library_;
  const BerthPluginEntry* entry_ = nullptr;
  std::filesystem::path path_;
  std::unique_ptr<Registrar> registrar_;
};

// dlopens the library (it stays mapped for the life of the process), checks
// the entry point and runs registration. `expected_name` (from the manifest)
// may be empty. With `register_plugin` false it stops after reading the entry
// (the manifest writer uses that for fixtures of broken plugins).
Result<std::unique_ptr<LoadedPlugin>> LoadPluginLibrary(const std::filesystem::path& library,
                                                       const std::string& expected_name = "",
                                                       bool register_plugin = true);

}  // namespace berth

#endif  // BERTH_PLUGIN_LOADER_H_
