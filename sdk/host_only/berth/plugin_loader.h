// Loading one plugin library, with every check in a fixed order and a
// one-line message naming the file for each way it can fail:
//   before dlopen: manifest ABI major, library sha256;
//   after dlopen:  entry point present, entry ABI major and struct size,
//                  name matches the manifest, open (registration) succeeds,
//                  description readable.
// Only C crosses: the entry's berth_plugin struct, the host's berth_host_api
// table, berth_objects and JSON text (berth/abi/berth_plugin_api.h).
#ifndef BERTH_PLUGIN_LOADER_H_
#define BERTH_PLUGIN_LOADER_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "berth/abi/berth_plugin_api.h"
#include "berth/command.h"
#include "berth/error.h"
#include "berth/manifest.h"
#include "berth/plugin.h"

namespace berth {

// The sha256 (lowercase hex) of a library file; throws Error when the file
// cannot be read. Sha256FileHex, or a cache of it (the host's listing).
using LibrarySha256 = std::function<std::string(const std::filesystem::path&)>;

// Checks a manifest against this host and against the library beside it,
// without loading anything. `manifest_path` names the manifest in messages.
Status CheckManifest(const PluginManifest& manifest, const std::filesystem::path& manifest_path);
Status CheckManifest(const PluginManifest& manifest, const std::filesystem::path& manifest_path,
                     const LibrarySha256& sha256_of);

class LoadedPlugin {
 public:
  ~LoadedPlugin();
  const std::filesystem::path& path() const { return path_; }
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  uint32_t abi_major() const { return abi_major_; }
  uint32_t abi_minor() const { return abi_minor_; }
  const std::string& built_with() const { return built_with_; }
  bool opened() const { return instance_ != nullptr; }

  // What open() registered (empty unless opened).
  const std::string& description() const { return description_; }
  const std::vector<Provision>& provisions() const { return provisions_; }
  const std::vector<CommandSpec>& commands() const { return commands_; }
  const CommandSpec* FindCommand(const std::string& path) const;

  // Creates an object of a kind the plugin provides; the caller owns it.
  // Errors name the plugin.
  Result<berth_object> Create(const std::string& kind, const std::string& name, const nlohmann::json& settings) const;
  // Runs one of its commands (request: see berth_plugin.run_command);
  // returns the command's exit code.
  Result<int> RunCommand(const std::string& path, const nlohmann::json& request) const;

 private:
  friend Result<std::unique_ptr<LoadedPlugin>> LoadPluginLibrary(const std::filesystem::path&, const std::string&,
                                                                 const berth_host_api*);
  friend Result<std::unique_ptr<LoadedPlugin>> LoadPluginLibraryFromFd(int, const std::filesystem::path&, const std::string&,
                                                                       const berth_host_api*);
  // Their work: dlopens `open_name` (the library's path, or the magic link
  // to `fd`, which it then owns as LoadPluginLibraryFromFd says; -1 for
  // none) and reports `library`.
  static Result<std::unique_ptr<LoadedPlugin>> Open(const std::string& open_name, const std::filesystem::path& library,
                                                    int fd, const std::string& expected_name, const berth_host_api* host);
  struct Library;
  LoadedPlugin();
  std::unique_ptr<Library> library_;
  const berth_plugin* entry_ = nullptr;
  void* instance_ = nullptr;
  std::filesystem::path path_;
  std::string name_;
  std::string version_;
  uint32_t abi_major_ = 0;
  uint32_t abi_minor_ = 0;
  std::string built_with_;
  std::string description_;
  std::vector<Provision> provisions_;
  std::vector<CommandSpec> commands_;
};

// dlopens the library (it stays mapped for the life of the process), checks
// the entry point and, with a host table, opens the plugin (runs its
// registration) and reads what it registered. `expected_name` (from the
// manifest) may be empty. Without a host table it stops after reading the
// entry (the manifest writer uses that for fixtures of broken plugins).
Result<std::unique_ptr<LoadedPlugin>> LoadPluginLibrary(const std::filesystem::path& library,
                                                       const std::string& expected_name,
                                                       const berth_host_api* host);

// The same for the library open on `fd` (through /proc/self/fd/N), so that
// what is mapped is the file that was hashed and checked through that
// descriptor, whatever `library` names by now; `library` names it in
// messages and path(). Takes `fd`: closed when the library cannot be mapped,
// else kept open for the life of the process, as the mapping is.
Result<std::unique_ptr<LoadedPlugin>> LoadPluginLibraryFromFd(int fd, const std::filesystem::path& library,
                                                             const std::string& expected_name,
                                                             const berth_host_api* host);

}  // namespace berth

#endif  // BERTH_PLUGIN_LOADER_H_
