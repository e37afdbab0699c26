// The `berth micros ...` commands: service descriptors (validate, render),
// the app-<version> tag, and which Artifactory credentials a push would use.
#include "micros_commands.h"

#include <algorithm>

#include "artifactory.h"
#include "berth/oci/host_registry.h"
#include "berth/output.h"
#include "berth/project.h"
#include "berth/util/fs.h"
#include "descriptor.h"
#include "micros_settings.h"
#include "micros_target.h"

namespace berth::micros {
namespace {

nlohmann::json ProblemsJson(const std::vector<DescriptorProblem>& problems) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : problems) {
    list.push_back({{"line", p.line}, {"column", p.column}, {"severity", p.error ? "error" : "warning"}, {"message", p.message}});
  }
  return list;
}

// `berth micros descriptor validate FILE`: every problem as FILE:LINE:COL;
// exit 3 when there is an error.
int RunValidate(CommandContext& context) {
  const std::string file = context.args.Get("file");
  const std::string text = ReadFile(file);
  auto problems = ValidateDescriptor(text);
  size_t errors = std::count_if(problems.begin(), problems.end(), [](const auto& p) { return p.error; });
  if (context.output.format() == OutputFormat::kTable) {
    for (const auto& problem : problems) context.output.Line(FormatProblem(file, problem));
    if (errors == 0) {
      context.output.Line(file + ": valid" +
                          (problems.empty() ? "" : " (" + std::to_string(problems.size()) + " warning" + (problems.size() == 1 ? "" : "s") + ")"));
    }
  } else {
    context.output.Emit({{"file", file},
                         {"valid", errors == 0},
                         {"errors", errors},
                         {"warnings", problems.size() - errors},
                         {"problems", ProblemsJson(problems)}});
  }
  if (errors > 0) {
    throw Error(ErrorCode::kInvalidInput, file + ": invalid service descriptor (" + std::to_string(errors) + " error" +
                                              (errors == 1 ? "" : "s") + ")");
  }
  return 0;
}

// The environment's micros target as the host read and checked it.
ProjectContext MicrosEnvironment(const std::string& environment) {
  std::optional<ProjectContext> project = CurrentProject(environment);
  if (!project) throw Error(ErrorCode::kInvalidInput, "no berth.yaml here or in any parent directory (or pass --config FILE)");
  if (project->target.empty()) {
    throw Error(ErrorCode::kInvalidInput, project->file.filename().string() + ": no environment '" + environment + "'");
  }
  if (project->target != "micros") {
    throw Error(ErrorCode::kInvalidInput, project->file.filename().string() + ": environment '" + environment +
                                              "' deploys with " + project->target + ", not micros");
  }
  return *project;
}

// `berth micros descriptor render --env ENV --image REPO@sha256:... [--version V]`:
// the descriptor a deploy would hand to atlas.
int RunRender(CommandContext& context) {
  ProjectContext project = MicrosEnvironment(context.args.Get("env"));
  MicrosSettings settings = MicrosSettings::Parse(project.target_settings, project.service, project.environment);
  RenderedDescriptor rendered = RenderFor(settings, project.dir, context.args.Get("image"), context.args.GetOr("version", ""));
  if (context.output.format() == OutputFormat::kTable) {
    context.output.stream() << rendered.text;
  } else {
    context.output.Emit({{"environment", project.environment},
                         {"service", settings.service},
                         {"env", settings.env},
                         {"source", rendered.source},
                         {"sha256", rendered.sha256},
                         {"descriptor", rendered.text}});
  }
  return 0;
}

int RunTag(CommandContext& context) {
  context.output.Line(AppTag(context.args.Get("version")));
  return 0;
}

// `berth micros whoami`: which Artifactory staff id berth would push as, and
// where that came from; never the token.
int RunWhoami(CommandContext& context) {
  const std::string host = context.args.GetOr("registry", kDefaultRegistryHost);
  if (auto credentials = FindCredentials(host, DefaultCredentialSources())) {
    context.output.Emit({{"registry", host}, {"username", credentials->username}, {"source", credentials->source}});
    return 0;
  }
  // What a push would fall back to: credential helpers, containers' auth.json.
  oci::Credential generic = oci::HostRegistry::CredentialFor(host);
  if (generic.kind != oci::Credential::Kind::kBasic || generic.username.empty()) {
    throw Error(ErrorCode::kAuth, std::string("no credentials for ") + host + ": set " + kUserEnv + " and " + kTokenEnv +
                                      " (staff id and Artifactory identity token), or docker login " + host);
  }
  context.output.Emit({{"registry", host}, {"username", generic.username}, {"source", generic.origin}});
  return 0;
}

}  // namespace

void RegisterCommands(Registrar& registrar) {
  registrar.AddCommand(
      CommandSpec{.path = "micros descriptor validate",
                  .summary = "Check a Micros service descriptor and report problems with line numbers",
                  .options = {{.name = "file", .help = "The descriptor (service-descriptor.yml)", .value_name = "FILE", .required = true, .position = 1}}},
      RunValidate);
  registrar.AddCommand(
      CommandSpec{.path = "micros descriptor render",
                  .summary = "Print the service descriptor a deploy would give atlas",
                  .options = {{.name = "env", .help = "Environment from berth.yaml", .value_name = "ENV", .required = true},
                              {.name = "image", .help = "Image: REPOSITORY@sha256:... (or a bare REPOSITORY)", .value_name = "IMAGE", .required = true},
                              {.name = "version", .help = "Release version (the app-<version> tag)", .value_name = "VERSION"}}},
      RunRender);
  registrar.AddCommand(
      CommandSpec{.path = "micros tag",
                  .summary = "Print the app-<version> tag Micros deploys for a version",
                  .options = {{.name = "version", .help = "Release version", .value_name = "VERSION", .required = true, .position = 1}}},
      RunTag);
  registrar.AddCommand(
      CommandSpec{.path = "micros whoami",
                  .summary = "Show the Artifactory staff id berth would use, and where it comes from",
                  .options = {{.name = "registry", .help = "Registry host (default docker.atl-paas.net)", .value_name = "HOST"}}},
      RunWhoami);
}

}  // namespace berth::micros
