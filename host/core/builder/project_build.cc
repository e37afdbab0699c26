#include "core/builder/project_build.h"

#include <cstdlib>
#include <map>
#include <memory>

#include "berth/error.h"
#include "berth/oci/image.h"
#include "berth/util/log.h"
#include "core/builder/builder_choice.h"

namespace berth::host::builder {
namespace fs = std::filesystem;
namespace {

fs::path ContextDir(const ProjectConfig& project) { return (project.dir / project.build.context).lexically_normal(); }

// build.dockerfile is relative to the project; the default is the context's Dockerfile.
std::string Dockerfile(const ProjectConfig& project) {
  if (!project.build.dockerfile.empty()) {
    fs::path path = project.dir / project.build.dockerfile;
    if (!fs::exists(path)) throw Error(ErrorCode::kInvalidInput, "build.dockerfile " + path.string() + " does not exist");
    return path.string();
  }
  fs::path path = ContextDir(project) / "Dockerfile";
  return fs::exists(path) ? path.string() : "";
}

// The builder's settings: the keys under build: other than berth's own, and
// build.settings: {...}; both spellings work.
nlohmann::json BuilderSettings(const ProjectConfig& project) {
  nlohmann::json settings = project.build.settings.is_object() ? project.build.settings : nlohmann::json::object();
  if (settings.contains("settings") && settings["settings"].is_object()) {
    nlohmann::json nested = settings["settings"];
    settings.erase("settings");
    settings.update(nested);
  }
  return settings;
}

BuildRequest RequestFor(const ProjectConfig& project, const oci::ImageLocation& output) {
  BuildRequest request;
  request.service = project.service;
  request.project_dir = project.dir.string();
  request.context = ContextDir(project).string();
  request.dockerfile = Dockerfile(project);
  request.platforms = project.build.platforms;
  request.output = output.str();
  request.source_date_epoch = SourceDateEpoch();
  return request;
}

// The chosen builder, opened: only the named one, or every installed one
// for `auto` (each checks itself; plugins load only for this).
struct Chosen {
  std::string name;
  std::unique_ptr<Builder> builder;
};

Chosen Choose(const ProjectConfig& project, PluginManager& plugins, const BuildRequest& request,
              const std::optional<std::string>& builder_override) {
  const std::string wanted = builder_override.value_or(project.build.builder.empty() ? "auto" : project.build.builder);
  const nlohmann::json settings = BuilderSettings(project);
  std::map<std::string, std::unique_ptr<Builder>> opened;
  std::vector<Candidate> candidates;
  for (const std::string& name : plugins.BuilderNames()) {
    if (wanted != "auto" && name != wanted) continue;
    if (opened.count(name)) continue;
    // Under `auto`, build settings written for one builder may not be
    // another's: a builder refusing them is not a candidate.
    std::unique_ptr<Builder> builder;
    try {
      builder = plugins.OpenBuilder(name, settings);
    } catch (const Error& error) {
      if (wanted != "auto" || error.code() != ErrorCode::kInvalidInput) throw;
      candidates.push_back({name, {.usable = false, .problem = error.what(), .problem_code = ErrorCode::kInvalidInput}});
      continue;
    }
    candidates.push_back({name, builder->Check(request).value()});
    opened[name] = std::move(builder);
  }
  std::string name = ChooseBuilder(wanted, candidates, request.dockerfile);
  for (const auto& candidate : candidates) {
    if (candidate.name == name && candidate.fit.ignores_dockerfile && !request.dockerfile.empty()) {
      log::Warn("build.builder {} does not run {}: it packs the build context as it is", name, request.dockerfile);
    }
  }
  return {name, std::move(opened[name])};
}

}  // namespace

int64_t SourceDateEpoch() {
  const char* text = std::getenv("SOURCE_DATE_EPOCH");
  if (!text || !*text) return 0;
  char* end = nullptr;
  long long value = std::strtoll(text, &end, 10);
  if (*end != '\0' || value < 0) return 0;
  return value;
}

nlohmann::json ProjectBuild::ToJson() const { return {{"builder", builder}, {"output", output.str()}, {"digest", digest.str()}}; }

oci::ImageLocation DefaultBuildOutput(const ProjectConfig& project) {
  return oci::ImageLocation::Parse("oci:" + (project.dir / ".berth" / "image").string() + ":build");
}

std::string PlannedBuilder(const ProjectConfig& project, PluginManager& plugins, const std::optional<std::string>& builder_override) {
  return Choose(project, plugins, RequestFor(project, DefaultBuildOutput(project)), builder_override).name;
}

ProjectBuild BuildProject(const ProjectConfig& project, PluginManager& plugins, const oci::ImageLocation& output,
                          const std::optional<std::string>& builder_override, bool no_cache) {
  if (output.kind != oci::ImageLocation::Kind::kOciLayout) {
    throw Error(ErrorCode::kUsage, "build output must be an OCI layout (oci:DIR:TAG), not '" + output.str() + "'");
  }
  BuildRequest request = RequestFor(project, output);
  request.no_cache = no_cache;
  Chosen chosen = Choose(project, plugins, request, builder_override);
  ProjectBuild result;
  result.builder = chosen.name;
  result.output = output;
  log::Info("building {} with {} into {}", project.service, chosen.name, output.str());
  BuildOutcome outcome = chosen.builder->Build(request).value();
  // What the layout holds is what berth pushes: it must be what the builder said.
  result.digest = oci::OpenOciLayoutSource(output)->TopManifest().digest;
  if (outcome.digest != result.digest.str()) {
    throw Error(ErrorCode::kVerification, "builder " + chosen.name + " reported " + outcome.digest + " but " + output.str() +
                                              " holds " + result.digest.str());
  }
  log::Info("built {}", result.digest.str());
  return result;
}

}  // namespace berth::host::builder
