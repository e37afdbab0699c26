// The host's side of berth_host_api: the table of services every plugin is
// handed when it is opened (berth/abi/berth_plugin_api.h). Logging and
// redaction go to the host's logger; results to the running command's
// Output; objects and registry services to the PluginManager.
#ifndef BERTH_HOST_CORE_PLUGINS_HOST_API_H_
#define BERTH_HOST_CORE_PLUGINS_HOST_API_H_

#include <nlohmann/json.hpp>

#include <functional>
#include <istream>
#include <string>

#include "berth/abi/berth_plugin_api.h"
#include "berth/output.h"

namespace berth::host {

class PluginManager;

class HostApi {
 public:
  explicit HostApi(PluginManager& plugins);
  HostApi(const HostApi&) = delete;
  HostApi& operator=(const HostApi&) = delete;

  const berth_host_api* table() const { return &table_; }
  // The running command's output and input; a plugin that emits with none
  // set gets an error.
  void SetCommandIo(Output* output, std::istream* input) {
    output_ = output;
    input_ = input;
  }

  // What the "project.context" service answers: {"present": bool, "dir",
  // "file", "service"}, read when a plugin first asks (berth.yaml is loaded
  // lazily), plus "environment" once a command names it (or the plugin asks
  // about one) with its "target" {plugin, settings} and "secrets" {store,
  // settings}. The source gets the environment's name.
  using ProjectSource = std::function<nlohmann::json(const std::string& environment)>;
  void SetProjectSource(ProjectSource source) { project_source_ = std::move(source); }
  void SetEnvironment(const std::string& environment) { environment_ = environment; }
  nlohmann::json Project(const std::string& environment = "") const;

  PluginManager& plugins() { return plugins_; }
  Output* output() { return output_; }
  std::istream* input() { return input_; }

 private:
  berth_host_api table_;
  PluginManager& plugins_;
  Output* output_ = nullptr;
  std::istream* input_ = nullptr;
  ProjectSource project_source_;
  std::string environment_;
};

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_HOST_API_H_
