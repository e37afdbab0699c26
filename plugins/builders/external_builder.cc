#include "external_builder.h"

#include <chrono>
#include <iostream>

#include "berth/error.h"
#include "berth/oci/host_registry.h"
#include "berth/oci/reference.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"
#include "berth/util/process.h"
#include "layout_reader.h"

namespace berth::builders {
namespace fs = std::filesystem;
namespace {

enum class Auth { kUser, kNone };

void Run(const std::vector<std::string>& argv, const std::string& what, Auth auth = Auth::kUser) {
  log::Info("{}: {}", what, argv[0] + " " + argv[1]);
  ProcessOptions options;
  // The builder's own output is progress: people see it live, except with -q
  // (errors only), where it is kept and shown only if the builder fails.
  const bool quiet = !log::Enabled(log::Level::kWarn);
  options.inherit_stderr = !quiet;
  // Writing to a local layout needs no login, and buildah/podman refuse to
  // start when DOCKER_CONFIG names a folder without a config.json.
  if (auth == Auth::kNone) options.env_unset = {"DOCKER_CONFIG", "REGISTRY_AUTH_FILE"};
  ProcessResult result = RunProcess(argv, options);
  if (result.exit_code != 0) {
    if (quiet) std::cerr << result.stderr_data << std::flush;
    throw Error(ErrorCode::kFailure, what + " failed (" + argv[0] + " exited with " + std::to_string(result.exit_code) + ")");
  }
}

std::string LayoutArgument(const oci::ImageLocation& output) {
  return "oci:" + output.path + (output.tag.empty() ? "" : ":" + output.tag);
}

const char* ProgramOf(Program program) {
  switch (program) {
    case Program::kDocker:
    case Program::kBuildx: return "docker";
    case Program::kPodman: return "podman";
    case Program::kBuildah: return "buildah";
  }
  return "docker";
}

// A daemon with its build cache first, then the daemonless ones; berth's own
// builder (preference 0) is the fallback.
int PreferenceOf(Program program) {
  switch (program) {
    case Program::kDocker: return 30;
    case Program::kBuildx: return 25;  // Needs a builder with OCI output (docker-container driver): only when named.
    case Program::kPodman: return 20;
    case Program::kBuildah: return 10;
  }
  return 0;
}

// A local name only the builder's store sees; the layout is what berth keeps.
std::string LocalName(const oci::ImageLocation& output) {
  return "localhost/berth-build:" + (output.tag.empty() ? std::string("latest") : output.tag);
}

// The saved image into the layout, through berth's engine (verified as it
// is read); then the archive and the engine's copy of the image go, so that
// builds do not pile up in the engine's store.
void CopyDockerArchive(const BuildRequest& request, const oci::ImageLocation& output) {
  const std::string archive = DockerArchivePath(request);
  try {
    oci::HostRegistry().Copy("docker-archive:" + archive, LayoutArgument(output));
  } catch (...) {
    fs::remove(archive);
    throw;
  }
  fs::remove(archive);
  ProcessOptions options;
  options.timeout = std::chrono::seconds(60);
  const std::string name = LocalName(output);
  ProcessResult removed = RunProcess({"docker", "image", "rm", name}, options);
  if (removed.exit_code != 0) log::Debug("docker image rm {}: exit {}", name, removed.exit_code);
}

}  // namespace

std::vector<BuildStep> BuildSteps(Program program, const BuildRequest& request) {
  const oci::ImageLocation output = oci::ImageLocation::Parse(request.output);
  std::string platform;
  for (const auto& item : request.platforms) platform += (platform.empty() ? "" : ",") + item;
  const std::string name = LocalName(output);
  std::vector<std::string> argv;
  switch (program) {
    case Program::kDocker:
      argv = {"docker", "build", "-f", request.dockerfile, "-t", name};
      break;
    case Program::kBuildx:
      argv = {"docker", "buildx", "build", "-f", request.dockerfile, "--output", "type=oci,dest=" + output.path + ",tar=false,name=" + name};
      break;
    case Program::kPodman:
      // Daemonless like buildah: vfs works without overlay or fuse, chroot without user namespaces.
      argv = {"podman", "--storage-driver", "vfs", "build", "--isolation", "chroot", "-f", request.dockerfile, "-t", name};
      break;
    case Program::kBuildah:
      // Daemonless and rootless-friendly: vfs storage, chroot isolation.
      argv = {"buildah", "--storage-driver", "vfs", "bud", "--isolation", "chroot", "-f", request.dockerfile, "-t", name};
      break;
  }
  if (!platform.empty()) argv.insert(argv.end(), {"--platform", platform});
  if (request.no_cache) argv.push_back("--no-cache");
  argv.push_back(request.context);
  const std::string program_name = ProgramOf(program);
  switch (program) {
    case Program::kDocker:
      return {{argv, "docker build"}, {{"docker", "save", "-o", DockerArchivePath(request), name}, "docker save", true}};
    case Program::kBuildx:
      return {{argv, "docker buildx"}};
    case Program::kPodman:
    case Program::kBuildah: {
      std::string what = program_name + (program == Program::kPodman ? " build" : " bud");
      return {{argv, what},
              {{program_name, "--storage-driver", "vfs", "push", name, LayoutArgument(output)}, program_name + " push", true}};
    }
  }
  return {};
}

std::string DockerArchivePath(const BuildRequest& request) {
  return fs::absolute(oci::ImageLocation::Parse(request.output).path).string() + ".docker-archive.tar";
}

MachineProbe MachineProbe::System() {
  MachineProbe probe;
  probe.has_program = [](const std::string& program) { return FindProgram(program).has_value(); };
  probe.docker_answers = [] {
    if (!FindProgram("docker")) return false;
    ProcessOptions options;
    options.timeout = std::chrono::milliseconds(5000);
    return RunProcess({"docker", "info", "--format", "{{.ServerVersion}}"}, options).exit_code == 0;
  };
  return probe;
}

Result<BuilderFit> ExternalBuilder::Check(const BuildRequest& request) noexcept {
  return CaptureResult([&] {
    BuilderFit fit;
    fit.preference = PreferenceOf(program_);
    const std::string program = ProgramOf(program_);
    if (!probe_.has_program(program)) {
      fit.problem = program + " is not on PATH";
      fit.problem_code = ErrorCode::kNotFound;
    } else if (request.dockerfile.empty()) {
      fit.problem = "it needs a Dockerfile; none in the build context";
      fit.problem_code = ErrorCode::kInvalidInput;
    } else if ((program_ == Program::kDocker || program_ == Program::kBuildx) && !probe_.docker_answers()) {
      fit.problem = "no Docker daemon answers (docker info failed)";
      fit.problem_code = ErrorCode::kNotFound;
    } else {
      fit.usable = true;
    }
    return fit;
  });
}

Result<BuildOutcome> ExternalBuilder::Build(const BuildRequest& request) noexcept {
  return CaptureResult([&] {
    oci::ImageLocation output = oci::ImageLocation::Parse(request.output);
    CreateDirectories(fs::absolute(output.path).parent_path());
    for (const BuildStep& step : BuildSteps(program_, request)) Run(step.argv, step.what, step.local_only ? Auth::kNone : Auth::kUser);
    if (program_ == Program::kDocker) CopyDockerArchive(request, output);
    // What the builder wrote, read back and verified before it is reported.
    LayoutReader layout(output.path);
    oci::Descriptor top = layout.Find(output.tag, output.digest);
    return BuildOutcome{layout.ReadManifest(top).digest.str()};
  });
}

}  // namespace berth::builders
