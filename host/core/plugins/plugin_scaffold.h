// `berth plugin new NAME`: an out-of-tree plugin project that builds against
// the installed SDK with find_package(BerthSDK).
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_SCAFFOLD_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_SCAFFOLD_H_

#include <filesystem>
#include <string>
#include <vector>

namespace berth::host {

// Writes the project into `directory` (which must not exist or be empty) and
// returns the files written. Throws Error(kInvalidInput) for a bad name.
std::vector<std::filesystem::path> ScaffoldPlugin(const std::string& name, const std::filesystem::path& directory);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_SCAFFOLD_H_
