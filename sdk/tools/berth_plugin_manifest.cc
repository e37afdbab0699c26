// berth-plugin-manifest --library LIB --output FILE [--allow-broken]
//
// Loads a freshly built plugin, runs its registration into a recording
// Registrar and writes berth-plugin.json beside it. Running the plugin's own
// registration is what keeps the manifest from drifting from the code.
// --allow-broken writes what the entry point says even when the plugin would
// be refused, and --describe-as NAME writes a manifest for a file without
// loading it at all (the test suite's fixtures of broken plugins need both).
#include <cstring>
#include <iostream>
#include <string>

#include "berth/digest.h"
#include "berth/fs.h"
#include "berth/manifest.h"
#include "berth/plugin_loader.h"

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
    if (!describe_as.empty()) {
      manifest.name = describe_as;
      manifest.version = "0.0.0";
      manifest.abi_version = BERTH_PLUGIN_ABI_VERSION;
      manifest.build_id = berth::HostBuildId();
      berth::WriteFileAtomic(output, manifest.ToJson().dump(2) + "\n");
      return 0;
    }
    auto loaded = berth::LoadPluginLibrary(library, "", /*register_plugin=*/true);
    if (!loaded.ok()) {
      if (!allow_broken) {
        std::cerr << "berth-plugin-manifest: " << loaded.status().message() << "\n";
        return 1;
      }
      loaded = berth::LoadPluginLibrary(library, "", /*register_plugin=*/false);
      if (!loaded.ok()) {
        std::cerr << "berth-plugin-manifest: " << loaded.status().message() << "\n";
        return 1;
      }
    }
    berth::LoadedPlugin& plugin = *loaded.value();
    manifest.name = plugin.entry().name;
    manifest.version = plugin.entry().version;
    manifest.abi_version = plugin.entry().abi_version;
    manifest.build_id = plugin.entry().build_id;
    if (plugin.entry().abi_version == BERTH_PLUGIN_ABI_VERSION && manifest.build_id == berth::HostBuildId()) {
      if (plugin.registered()) {
        const berth::Registrar& registrar = plugin.registrar();
        manifest.description = registrar.description();
        manifest.provides = registrar.provisions();
        for (const auto& command : registrar.commands()) manifest.commands.push_back({command.spec.path, command.spec.summary});
      }
    }
    berth::WriteFileAtomic(output, manifest.ToJson().dump(2) + "\n");
  } catch (const std::exception& e) {
    std::cerr << "berth-plugin-manifest: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
