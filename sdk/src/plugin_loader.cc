#include "berth/plugin_loader.h"

#include <dlfcn.h>

#include <boost/dll/shared_library.hpp>

#include "berth/digest.h"

namespace berth {
namespace {

Status Refuse(const std::filesystem::path& path, const std::string& problem) {
  return Status(ErrorCode::kPlugin, "plugin " + path.string() + ": " + problem);
}

Status CheckIdentity(const std::filesystem::path& path, uint32_t abi_version, const std::string& build_id) {
  if (abi_version != BERTH_PLUGIN_ABI_VERSION) {
    return Refuse(path, "ABI version " + std::to_string(abi_version) + " does not match this berth's ABI version " +
                            std::to_string(BERTH_PLUGIN_ABI_VERSION));
  }
  if (build_id != HostBuildId()) {
    return Refuse(path, "SDK build id '" + build_id + "' does not match this berth's '" + HostBuildId() +
                            "' (rebuild the plugin against this SDK)");
  }
  return Status::Ok();
}

}  // namespace

const char* HostBuildId() noexcept { return BERTH_SDK_BUILD_ID; }

Status CheckManifest(const PluginManifest& manifest, const std::filesystem::path& manifest_path) {
  std::filesystem::path library = manifest_path.parent_path() / manifest.library;
  if (Status status = CheckIdentity(library, manifest.abi_version, manifest.build_id); !status.ok()) return status;
  std::string actual;
  try {
    actual = Sha256FileHex(library);
  } catch (const Error&) {
    return Refuse(library, "library file is missing or unreadable (named by " + manifest_path.string() + ")");
  }
  if (actual != manifest.sha256) {
    return Refuse(library, "sha256 " + actual + " does not match the manifest's " + manifest.sha256);
  }
  return Status::Ok();
}

struct LoadedPlugin::Library {
  boost::dll::shared_library library;
};

LoadedPlugin::LoadedPlugin() = default;

LoadedPlugin::~LoadedPlugin() {
  // The registrar holds callables whose code lives in the library: it goes first.
  registrar_.reset();
}

Result<std::unique_ptr<LoadedPlugin>> LoadPluginLibrary(const std::filesystem::path& path,
                                                       const std::string& expected_name, bool register_plugin) {
  std::unique_ptr<LoadedPlugin> plugin(new LoadedPlugin());
  plugin->path_ = path;
  plugin->library_ = std::make_unique<LoadedPlugin::Library>();
  // RTLD_NODELETE: code of a plugin stays mapped until the process ends, even
  // if an object it made is destroyed late. RTLD_LOCAL: plugins don't see
  // each other's symbols.
  auto mode = static_cast<boost::dll::load_mode::type>(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  std::error_code error;
  plugin->library_->library.load(path, mode, error);
  if (error) {
    const char* reason = dlerror();
    return Refuse(path, std::string("not a loadable shared library (") + (reason ? reason : error.message()) + ")");
  }
  if (!plugin->library_->library.has(BERTH_PLUGIN_ENTRY_SYMBOL)) {
    return Refuse(path, std::string("no entry point '") + BERTH_PLUGIN_ENTRY_SYMBOL + "' (not a berth plugin)");
  }
  auto& entry_fn = plugin->library_->library.get<const BerthPluginEntry*()>(BERTH_PLUGIN_ENTRY_SYMBOL);
  const BerthPluginEntry* entry = entry_fn();
  if (entry == nullptr || entry->name == nullptr || entry->version == nullptr || entry->build_id == nullptr) {
    return Refuse(path, "entry point returned an incomplete description");
  }
  plugin->entry_ = entry;
  if (!register_plugin) return plugin;
  if (Status status = CheckIdentity(path, entry->abi_version, entry->build_id); !status.ok()) return status;
  if (!expected_name.empty() && expected_name != entry->name) {
    return Refuse(path, std::string("calls itself '") + entry->name + "' but its manifest says '" + expected_name + "'");
  }
  if (entry->register_plugin == nullptr) return Refuse(path, "entry point has no registration function");
  plugin->registrar_ = std::make_unique<Registrar>();
  char message[1024] = {0};
  if (entry->register_plugin(plugin->registrar_.get(), message, sizeof(message)) != 0) {
    return Refuse(path, std::string("registration failed: ") + (message[0] ? message : "no reason given"));
  }
  return plugin;
}

}  // namespace berth
