// Builds berth.yaml's image with the chosen builder plugin into an OCI
// layout: what `berth build` and `berth release` share.
#ifndef BERTH_HOST_CORE_BUILDER_PROJECT_BUILD_H_
#define BERTH_HOST_CORE_BUILDER_PROJECT_BUILD_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "berth/oci/reference.h"
#include "berth/util/digest.h"
#include "core/config/project_config.h"
#include "core/plugins/plugin_manager.h"

namespace berth::host::builder {

struct ProjectBuild {
  std::string builder;
  oci::ImageLocation output;
  Digest digest = Digest::Of("");
  nlohmann::json ToJson() const;
};

// SOURCE_DATE_EPOCH (reproducible-builds.org) when set and numeric, else 0:
// the timestamps every builder is asked to use.
int64_t SourceDateEpoch();

// The layout `berth build` writes when no --output is given.
oci::ImageLocation DefaultBuildOutput(const ProjectConfig& project);

// `builder_override` replaces build.builder (the --builder flag); `no_cache`
// (--no-cache) asks the builder to use no cached layer. The digest the
// builder reports is checked against the layout it wrote.
ProjectBuild BuildProject(const ProjectConfig& project, PluginManager& plugins, const oci::ImageLocation& output,
                          const std::optional<std::string>& builder_override, bool no_cache = false);

// The builder that would run, for plans (--dry-run).
std::string PlannedBuilder(const ProjectConfig& project, PluginManager& plugins,
                           const std::optional<std::string>& builder_override);

}  // namespace berth::host::builder

#endif  // BERTH_HOST_CORE_BUILDER_PROJECT_BUILD_H_
