#include "core/builder/project_build.h"

#include "berth/error.h"
#include "berth/log.h"
#include "berth/oci/image.h"
#include "core/builder/image_builder.h"
#include "core/builder/reproducible_layer.h"

namespace berth::host::builder {
namespace fs = std::filesystem;
namespace {

fs::path ContextDir(const ProjectConfig& project) { return (project.dir / project.build.context).lexically_normal(); }

// build.dockerfile is relative to the project; the default is the context's Dockerfile.
std::optional<fs::path> Dockerfile(const ProjectConfig& project) {
  if (!project.build.dockerfile.empty()) {
    fs::path path = project.dir / project.build.dockerfile;
    if (!fs::exists(path)) throw Error(ErrorCode::kInvalidInput, "build.dockerfile " + path.string() + " does not exist");
    return path;
  }
  fs::path path = ContextDir(project) / "Dockerfile";
  if (fs::exists(path)) return path;
  return std::nullopt;
}

BuildConfig WithOverride(const ProjectConfig& project, const std::optional<std::string>& builder_override) {
  BuildConfig build = project.build;
  if (builder_override) build.builder = *builder_override;
  return build;
}

// A base layout named relative to berth.yaml works from any directory.
std::string ResolveBase(const ProjectConfig& project, const std::string& base) {
  if (base.empty() || base == "scratch") return "scratch";
  oci::ImageLocation location = oci::ImageLocation::Parse(base);
  if (location.kind == oci::ImageLocation::Kind::kRegistry || fs::path(location.path).is_absolute()) return base;
  std::string path = (project.dir / location.path).lexically_normal().string();
  if (location.kind == oci::ImageLocation::Kind::kOciLayout) {
    if (location.digest) return "oci:" + path + "@" + location.digest->str();
    return "oci:" + path + (location.tag.empty() ? "" : ":" + location.tag);
  }
  return "docker-archive:" + path;
}

}  // namespace

nlohmann::json ProjectBuild::ToJson() const {
  return {{"builder", BuilderName(builder)}, {"output", output.str()}, {"digest", digest.str()}};
}

oci::ImageLocation DefaultBuildOutput(const ProjectConfig& project) {
  return oci::ImageLocation::Parse("oci:" + (project.dir / ".berth" / "image").string() + ":build");
}

BuilderKind PlannedBuilder(const ProjectConfig& project, const std::optional<std::string>& builder_override, const BuilderProbe& probe) {
  return ChooseBuilder(WithOverride(project, builder_override), Dockerfile(project).has_value(), probe);
}

ProjectBuild BuildProject(const ProjectConfig& project, const oci::ImageLocation& output,
                          const std::optional<std::string>& builder_override, const BuilderProbe& probe) {
  if (output.kind != oci::ImageLocation::Kind::kOciLayout) {
    throw Error(ErrorCode::kUsage, "build output must be an OCI layout (oci:DIR:TAG), not '" + output.str() + "'");
  }
  BuildConfig build = WithOverride(project, builder_override);
  std::optional<fs::path> dockerfile = Dockerfile(project);
  ProjectBuild result;
  result.builder = ChooseBuilder(build, dockerfile.has_value(), probe);
  result.output = output;
  log::Info("building {} with {} into {}", project.service, BuilderName(result.builder), output.str());
  if (result.builder == BuilderKind::kBerth) {
    ImageSpec spec;
    spec.context = ContextDir(project);
    spec.settings = build.settings.is_object() ? build.settings : nlohmann::json::object();
    // build.settings: {...} and the same keys straight under build: both work.
    if (spec.settings.contains("settings") && spec.settings["settings"].is_object()) {
      nlohmann::json nested = spec.settings["settings"];
      spec.settings.erase("settings");
      spec.settings.update(nested);
    }
    spec.base = ResolveBase(project, spec.settings.value("base", std::string("scratch")));
    spec.mtime = SourceDateEpoch();
    result.digest = BuildImage(spec, output).manifest_digest;
  } else {
    RunExternalBuilder(result.builder, build, ContextDir(project), *dockerfile, output);
    result.digest = oci::OpenOciLayoutSource(output)->TopManifest().digest;
  }
  log::Info("built {}", result.digest.str());
  return result;
}

}  // namespace berth::host::builder
