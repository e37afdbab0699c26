// berth-plugin-manifest --library LIB --output FILE [--allow-broken]
//
// Loads a freshly built plugin, runs its registration into a recording
// Registrar and writes berth-plugin.json beside it. Running the plugin's own
// registration is what keeps the manifest from drifting from the code.
// --allow-broken writes what the entry point says even when the plugin would
// be refused, and --describe-as NAME writes a manifest for a file without
// loading it at all (the test suite's fixtures of broken plugins need both).
#include <dlfcn.h>

#include <cstring>
#include <optional>
#include <iostream>
#include <string>

#include "berth/abi/buffer.h"
#include "berth/abi/entry_point.h"
#include "berth/manifest.h"
#include "berth/plugin_loader.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"

namespace {

// What a plugin may use while it registers: logging only. Objects, results
// and host services belong to a berth run, not to a build.
berth_host_api BuildTimeHost() {
  berth_host_api host{};
  host.struct_size = sizeof(berth_host_api);
  host.abi_major = BERTH_ABI_MAJOR;
  host.abi_minor = BERTH_ABI_MINOR;
  host.log = [](void*, int32_t level, const char* message, size_t size) {
    if (level >= BERTH_LOG_WARN) std::cerr << "berth-plugin-manifest: " << std::string_view(message, size) << "\n";
  };
  host.log_enabled = [](void*, int32_t level) -> int32_t { return level >= BERTH_LOG_WARN; };
  host.add_redaction = [](void*, const char*, size_t) {};
  host.emit = [](void*, const char*, size_t, berth_buffer* error) -> int32_t {
    berth::abi::Fill(error, "no results at build time");
    return BERTH_STATUS_UNSUPPORTED;
  };
  host.read_input = [](void*, char*, size_t) -> int64_t { return 0; };
  host.open = [](void*, const char*, const char*, const char*, size_t, berth_object*, berth_buffer* error) -> int32_t {
    berth::abi::Fill(error, "no objects at build time");
    return BERTH_STATUS_UNSUPPORTED;
  };
  host.call = [](void*, const char*, const char*, size_t, berth_buffer*, berth_buffer* error) -> int32_t {
    berth::abi::Fill(error, "no host services at build time");
    return BERTH_STATUS_UNSUPPORTED;
  };
  return host;
}

std::optional<uint32_t> ReadAbiMajor(const std::string& library) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return std::nullopt;
  auto entry = reinterpret_cast<berth_plugin_entry_fn>(dlsym(handle, BERTH_PLUGIN_ENTRY_SYMBOL));
  const berth_plugin* plugin = entry ? berth::abi::CallEntryPoint(entry) : nullptr;
  if (plugin == nullptr) return std::nullopt;
  return plugin->abi_major;
}

// "libberth-NAME.so" -> "NAME".
std::string NameFromLibrary(const std::string& library) {
  std::string name = std::filesystem::path(library).stem().string();
  return name.rfind("libberth-", 0) == 0 ? name.substr(9) : name;
}

}  // namespace

int main(int argc, char** argv) {
  std::string library, output;
  bool allow_broken = false;
  std::string describe_as;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--library" && i + 1 < argc) {
      library = argv[++i];
    } else if (arg == "--output" && i + 1 < argc) {
      output = argv[++i];
    } else if (arg == "--allow-broken") {
      allow_broken = true;
    } else if (arg == "--describe-as" && i + 1 < argc) {
      describe_as = argv[++i];
    } else {
      std::cerr << "usage: berth-plugin-manifest --library LIB --output FILE [--allow-broken | --describe-as NAME]\n";
      return 2;
    }
  }
  if (library.empty() || output.empty()) {
    std::cerr << "usage: berth-plugin-manifest --library LIB --output FILE [--allow-broken | --describe-as NAME]\n";
    return 2;
  }
  try {
    berth::PluginManifest manifest;
    manifest.library = std::filesystem::path(library).filename().string();
    manifest.sha256 = berth::Sha256FileHex(library);
    manifest.abi_major = BERTH_ABI_MAJOR;
    manifest.abi_minor = BERTH_ABI_MINOR;
    if (!describe_as.empty()) {
      manifest.name = describe_as;
      manifest.version = "0.0.0";
      berth::WriteFileAtomic(output, manifest.ToJson().dump(2) + "\n");
      return 0;
    }
    berth_host_api host = BuildTimeHost();
    auto loaded = berth::LoadPluginLibrary(library, "", &host);
    if (!loaded.ok()) {
      if (!allow_broken) {
        std::cerr << "berth-plugin-manifest: " << loaded.status().message() << "\n";
        return 1;
      }
      // A broken fixture: described from its entry point alone, so that
      // the host's own checks meet it. Of another ABI major only the first
      // field is known, the major itself; the name comes from the file.
      auto entry_only = berth::LoadPluginLibrary(library, "", nullptr);
      if (!entry_only.ok()) {
        std::optional<uint32_t> major = ReadAbiMajor(library);
        if (!major) {
          std::cerr << "berth-plugin-manifest: " << entry_only.status().message() << "\n";
          return 1;
        }
        manifest.abi_major = *major;
        manifest.name = NameFromLibrary(library);
        manifest.version = "0.0.0";
        berth::WriteFileAtomic(output, manifest.ToJson().dump(2) + "\n");
        return 0;
      }
      loaded = std::move(entry_only);
    }
    berth::LoadedPlugin& plugin = *loaded.value();
    manifest.name = plugin.name();
    manifest.version = plugin.version();
    manifest.abi_major = plugin.abi_major();
    manifest.abi_minor = plugin.abi_minor();
    manifest.built_with = plugin.built_with();
    manifest.description = plugin.description();
    manifest.provides = plugin.provisions();
    for (const auto& command : plugin.commands()) manifest.commands.push_back({command.path, command.summary});
    berth::WriteFileAtomic(output, manifest.ToJson().dump(2) + "\n");
  } catch (const std::exception& e) {
    std::cerr << "berth-plugin-manifest: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
