#include "core/builder/builder_select.h"

#include <chrono>
#include <iostream>

#include "berth/error.h"
#include "berth/fs.h"
#include "berth/log.h"
#include "berth/process.h"

namespace berth::host::builder {
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

}  // namespace

std::string BuilderName(BuilderKind kind) {
  switch (kind) {
    case BuilderKind::kBuildx: return "buildx";
    case BuilderKind::kPodman: return "podman";
    case BuilderKind::kBuildah: return "buildah";
    case BuilderKind::kBerth: return "berth";
  }
  return "berth";
}

BuilderProbe BuilderProbe::System() {
  BuilderProbe probe;
  probe.has_program = [](const std::string& program) { return FindProgram(program).has_value(); };
  probe.docker_answers = [] {
    if (!FindProgram("docker")) return false;
    ProcessOptions options;
    options.timeout = std::chrono::milliseconds(5000);
    return RunProcess({"docker", "info", "--format", "{{.ServerVersion}}"}, options).exit_code == 0;
  };
  return probe;
}

BuilderKind ChooseBuilder(const BuildConfig& build, bool has_dockerfile, const BuilderProbe& probe) {
  const std::string& name = build.builder;
  auto require = [&](const std::string& program, BuilderKind kind) {
    if (!probe.has_program(program)) throw Error(ErrorCode::kNotFound, "build.builder is " + name + " but " + program + " is not on PATH");
    if (!has_dockerfile) throw Error(ErrorCode::kInvalidInput, "build.builder " + name + " needs a Dockerfile; none in the build context");
    return kind;
  };
  if (name == "berth") return BuilderKind::kBerth;
  if (name == "buildx") return require("docker", BuilderKind::kBuildx);
  if (name == "podman") return require("podman", BuilderKind::kPodman);
  if (name == "buildah") return require("buildah", BuilderKind::kBuildah);
  if (name != "auto" && !name.empty()) {
    throw Error(ErrorCode::kInvalidInput, "build.builder '" + name + "' is not one of auto, buildx, podman, buildah, berth");
  }
  if (!has_dockerfile) return BuilderKind::kBerth;
  if (probe.has_program("docker") && probe.docker_answers()) return BuilderKind::kBuildx;
  if (probe.has_program("podman")) return BuilderKind::kPodman;
  if (probe.has_program("buildah")) return BuilderKind::kBuildah;
  return BuilderKind::kBerth;
}

void RunExternalBuilder(BuilderKind kind, const BuildConfig& build, const fs::path& context, const fs::path& dockerfile,
                        const oci::ImageLocation& output) {
  std::string platform;
  for (const auto& item : build.platforms) platform += (platform.empty() ? "" : ",") + item;
  CreateDirectories(fs::absolute(output.path).parent_path());
  // A local name only the builder's store sees; the layout is what berth keeps.
  std::string name = "localhost/berth-build:" + (output.tag.empty() ? std::string("latest") : output.tag);
  switch (kind) {
    case BuilderKind::kBuildx: {
      std::vector<std::string> argv = {"docker", "buildx", "build", "-f", dockerfile.string(),
                                       "--output", "type=oci,dest=" + output.path + ",tar=false,name=" + name};
      if (!platform.empty()) argv.insert(argv.end(), {"--platform", platform});
      argv.push_back(context.string());
      Run(argv, "docker buildx");
      return;
    }
    case BuilderKind::kPodman: {
      // Daemonless like buildah: vfs works without overlay or fuse, chroot without user namespaces.
      std::vector<std::string> argv = {"podman", "--storage-driver", "vfs", "build", "--isolation", "chroot",
                                       "-f", dockerfile.string(), "-t", name};
      if (!platform.empty()) argv.insert(argv.end(), {"--platform", platform});
      argv.push_back(context.string());
      Run(argv, "podman build");
      Run({"podman", "--storage-driver", "vfs", "push", name, LayoutArgument(output)}, "podman push", Auth::kNone);
      return;
    }
    case BuilderKind::kBuildah: {
      // Daemonless and rootless-friendly: vfs storage, chroot isolation.
      std::vector<std::string> argv = {"buildah", "--storage-driver", "vfs", "bud", "--isolation", "chroot",
                                       "-f", dockerfile.string(), "-t", name};
      if (!platform.empty()) argv.insert(argv.end(), {"--platform", platform});
      argv.push_back(context.string());
      Run(argv, "buildah bud");
      Run({"buildah", "--storage-driver", "vfs", "push", name, LayoutArgument(output)}, "buildah push", Auth::kNone);
      return;
    }
    case BuilderKind::kBerth:
      break;
  }
  throw Error(ErrorCode::kFailure, "berth's own builder is not an external builder");
}

}  // namespace berth::host::builder
