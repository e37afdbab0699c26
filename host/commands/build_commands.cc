// berth build: the project's image into an OCI layout that `berth push` (or
// `berth release`) takes from there.
#include "berth/output.h"
#include "core/builder/project_build.h"
#include "core/host.h"

namespace berth::host {
namespace {

int RunBuild(Host& host, CommandContext& context) {
  const ProjectConfig& project = host.Project();
  host.RequireTrust({"build"});
  oci::ImageLocation output = builder::DefaultBuildOutput(project);
  if (auto text = context.args.GetOptional("layout")) output = oci::ImageLocation::Parse(*text);
  builder::ProjectBuild built = builder::BuildProject(project, *host.plugins, output, context.args.GetOptional("builder"),
                                                          context.args.Flag("no-cache"));
  nlohmann::json json = built.ToJson();
  context.output.Emit(json);
  return 0;
}

}  // namespace

void RegisterBuildCommands(Host& host) {
  host.table.Add({.path = "build",
                  .summary = "Build the project's image into an OCI layout",
                  .options = {{.name = "layout", .help = "Where to write the image (default oci:.berth/image:build); --output is the global output format", .value_name = "oci:DIR:TAG"},
                              {.name = "builder", .help = "auto, or an installed builder: berth, docker, buildx, podman, buildah, ... (default: build.builder)", .value_name = "NAME"},
                              {.name = "no-cache", .kind = OptionSpec::Kind::kFlag, .help = "Build every step again: the builder uses no cached layer"}}},
                 [&host](CommandContext& c) { return RunBuild(host, c); });
}

}  // namespace berth::host
