#include "berth/plugin_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <boost/dll/shared_library.hpp>

#include "berth/abi/buffer.h"
#include "berth/abi/codec.h"
#include "berth/abi/entry_point.h"
#include "berth/abi/objects.h"
#include "berth/util/digest.h"

namespace berth {
namespace {

Status Refuse(const std::filesystem::path& path, const std::string& problem) {
  return Status(ErrorCode::kPlugin, "plugin " + path.string() + ": " + problem);
}

Status CheckAbiMajor(const std::filesystem::path& path, uint32_t abi_major) {
  if (abi_major == BERTH_ABI_MAJOR) return Status::Ok();
  std::string problem = "built for plugin ABI " + std::to_string(abi_major) + ", but this berth loads ABI " +
                        std::to_string(BERTH_ABI_MAJOR);
  problem += abi_major < BERTH_ABI_MAJOR ? " (rebuild the plugin against the installed berth SDK)"
                                         : " (the plugin needs a newer berth)";
  return Refuse(path, problem);
}

// Every call into plugin code goes through here, so that a crash names the
// plugin and the operation (host/core/plugins/plugin_crash.cc observes).
template <typename Fn>
auto CallPlugin(const std::string& plugin, const char* operation, Fn&& fn) {
  abi::CallObserver observer = abi::GetCallObserver();
  if (observer) observer(plugin, operation, true);
  auto result = fn();
  if (observer) observer(plugin, operation, false);
  return result;
}

}  // namespace

Status CheckManifest(const PluginManifest& manifest, const std::filesystem::path& manifest_path) {
  return CheckManifest(manifest, manifest_path, Sha256FileHex);
}

Status CheckManifest(const PluginManifest& manifest, const std::filesystem::path& manifest_path, const LibrarySha256& sha256_of) {
  std::filesystem::path library = manifest_path.parent_path() / manifest.library;
  if (Status status = CheckAbiMajor(library, manifest.abi_major); !status.ok()) return status;
  std::string actual;
  try {
    actual = sha256_of(library);
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
  if (instance_ != nullptr && entry_->close != nullptr) {
    CallPlugin(name_, "close", [&] {
      entry_->close(instance_);
      return 0;
    });
  }
}

const CommandSpec* LoadedPlugin::FindCommand(const std::string& path) const {
  for (const auto& command : commands_) {
    if (command.path == path) return &command;
  }
  return nullptr;
}

Result<berth_object> LoadedPlugin::Create(const std::string& kind, const std::string& name,
                                          const nlohmann::json& settings) const {
  std::string text = settings.dump();
  berth_object object{};
  berth_buffer error{};
  std::string operation = "create " + kind + " " + name;
  int32_t status = CallPlugin(name_, operation.c_str(), [&] {
    return entry_->create(instance_, kind.c_str(), name.c_str(), text.data(), text.size(), &object, &error);
  });
  std::string message = abi::Take(error);
  if (status != BERTH_STATUS_OK) return Status(abi::ErrorCodeOf(status), abi::AttributeMessage(name_, operation, message));
  if (object.call == nullptr) return Refuse(path_, operation + " returned no object");
  return object;
}

Result<int> LoadedPlugin::RunCommand(const std::string& path, const nlohmann::json& request) const {
  std::string text = request.dump();
  int32_t exit_code = 0;
  berth_buffer error{};
  int32_t status = CallPlugin(name_, path.c_str(), [&] {
    return entry_->run_command(instance_, path.c_str(), text.data(), text.size(), &exit_code, &error);
  });
  std::string message = abi::Take(error);
  if (status != BERTH_STATUS_OK) return Status(abi::ErrorCodeOf(status), abi::AttributeMessage(name_, path, message));
  return static_cast<int>(exit_code);
}

Result<std::unique_ptr<LoadedPlugin>> LoadPluginLibrary(const std::filesystem::path& path, const std::string& expected_name,
                                                       const berth_host_api* host) {
  return LoadedPlugin::Open(path.native(), path, -1, expected_name, host);
}

Result<std::unique_ptr<LoadedPlugin>> LoadPluginLibraryFromFd(int fd, const std::filesystem::path& path,
                                                             const std::string& expected_name, const berth_host_api* host) {
  // The magic link opens the very file `fd` holds, even if its path now
  // names another one or none.
  return LoadedPlugin::Open("/proc/self/fd/" + std::to_string(fd), path, fd, expected_name, host);
}

Result<std::unique_ptr<LoadedPlugin>> LoadedPlugin::Open(const std::string& open_name, const std::filesystem::path& path, int fd,
                                                        const std::string& expected_name, const berth_host_api* host) {
  std::unique_ptr<LoadedPlugin> plugin(new LoadedPlugin());
  plugin->path_ = path;
  plugin->library_ = std::make_unique<LoadedPlugin::Library>();
  // RTLD_NODELETE: code of a plugin stays mapped until the process ends, even
  // if an object it made is destroyed late. RTLD_LOCAL: plugins don't see
  // each other's symbols.
  auto mode = static_cast<boost::dll::load_mode::type>(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  std::error_code error;
  plugin->library_->library.load(boost::dll::fs::path(open_name), mode, error);
  if (error) {
    const char* reason = dlerror();
    std::string text = reason ? reason : error.message();
    // The loader names what it opened; the user knows the library by its path.
    for (size_t at = text.find(open_name); at != std::string::npos; at = text.find(open_name, at + path.native().size())) {
      text.replace(at, open_name.size(), path.native());
    }
    if (fd >= 0) close(fd);
    return Refuse(path, "not a loadable shared library (" + text + ")");
  }
  // Mapped: a descriptor it was opened through stays open for the life of
  // the process, as the mapping does (RTLD_NODELETE). The loader remembers
  // each library by the name it was opened with and answers a later dlopen
  // of that same name with it: were the number reused for another plugin's
  // file, "/proc/self/fd/N" would give back this one.
  if (!plugin->library_->library.has(BERTH_PLUGIN_ENTRY_SYMBOL)) {
    return Refuse(path, std::string("no entry point '") + BERTH_PLUGIN_ENTRY_SYMBOL + "' (not a berth plugin)");
  }
  auto& entry_fn = plugin->library_->library.get<const berth_plugin*()>(BERTH_PLUGIN_ENTRY_SYMBOL);
  std::string label = expected_name.empty() ? path.filename().string() : expected_name;
  const berth_plugin* entry = CallPlugin(label, "entry point", [&] { return abi::CallEntryPoint(&entry_fn); });
  if (entry == nullptr) return Refuse(path, "entry point returned nothing");
  // The first field is the ABI major in every version; nothing else is read
  // before it matches.
  if (Status status = CheckAbiMajor(path, entry->abi_major); !status.ok()) return status;
  if (entry->struct_size < offsetof(berth_plugin, close) + sizeof(entry->close)) {
    return Refuse(path, "entry point's description is truncated (" + std::to_string(entry->struct_size) + " bytes)");
  }
  if (entry->name == nullptr || entry->version == nullptr) return Refuse(path, "entry point returned an incomplete description");
  plugin->entry_ = entry;
  plugin->name_ = entry->name;
  plugin->version_ = entry->version;
  plugin->abi_major_ = entry->abi_major;
  plugin->abi_minor_ = entry->abi_minor;
  plugin->built_with_ = entry->built_with ? entry->built_with : "";
  if (!expected_name.empty() && expected_name != entry->name) {
    return Refuse(path, std::string("calls itself '") + entry->name + "' but its manifest says '" + expected_name + "'");
  }
  if (host == nullptr) return plugin;
  if (entry->open == nullptr || entry->describe == nullptr || entry->create == nullptr || entry->run_command == nullptr) {
    return Refuse(path, "entry point lacks a required function");
  }
  berth_buffer message{};
  void* instance = nullptr;
  int32_t status = CallPlugin(plugin->name_, "registration", [&] { return entry->open(host, &instance, &message); });
  std::string reason = abi::Take(message);
  if (status != BERTH_STATUS_OK) return Refuse(path, "registration failed: " + (reason.empty() ? "no reason given" : reason));
  plugin->instance_ = instance;
  berth_buffer description{};
  status = CallPlugin(plugin->name_, "describe", [&] { return entry->describe(instance, &description, &message); });
  std::string text = abi::Take(description);
  reason = abi::Take(message);
  if (status != BERTH_STATUS_OK) return Refuse(path, "describing itself failed: " + reason);
  try {
    nlohmann::json json = abi::ParseJson(text.data(), text.size(), "description");
    plugin->description_ = json.value("description", "");
    plugin->provisions_ = json.value("provides", nlohmann::json::array()).get<std::vector<Provision>>();
    plugin->commands_ = json.value("commands", nlohmann::json::array()).get<std::vector<CommandSpec>>();
  } catch (const std::exception& e) {
    return Refuse(path, std::string("its description is malformed (") + e.what() + ")");
  }
  return plugin;
}

}  // namespace berth
