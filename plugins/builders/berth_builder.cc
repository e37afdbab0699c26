#include "berth_builder.h"

#include <filesystem>

#include "berth/oci/reference.h"
#include "berth_image.h"

namespace berth::builders {
namespace fs = std::filesystem;
namespace {

// A base layout named relative to berth.yaml works from any directory.
std::string ResolveBase(const fs::path& project_dir, const std::string& base) {
  if (base.empty() || base == "scratch") return "scratch";
  oci::ImageLocation location = oci::ImageLocation::Parse(base);
  if (location.kind == oci::ImageLocation::Kind::kRegistry || fs::path(location.path).is_absolute()) return base;
  std::string path = (project_dir / location.path).lexically_normal().string();
  if (location.kind == oci::ImageLocation::Kind::kOciLayout) {
    if (location.digest) return "oci:" + path + "@" + location.digest->str();
    return "oci:" + path + (location.tag.empty() ? "" : ":" + location.tag);
  }
  return "docker-archive:" + path;
}

}  // namespace

SettingsSchema BerthBuilderSchema() {
  return SettingsSchema{
      {"base", Setting::Text("The base image: scratch, oci:DIR[:TAG] or docker-archive:FILE (relative to the project)")},
      {"entrypoint", Setting::Value("The entrypoint: a list, or a command run by /bin/sh -c")},
      {"cmd", Setting::Value("The default arguments: a list, or a command run by /bin/sh -c")},
      {"env", Setting::Value("Environment variables: a mapping, or a list of NAME=VALUE")},
      {"ports", Setting::Value("Exposed ports: a list like [8080, \"53/udp\"]")},
      {"labels", Setting::TextMap("Image labels")},
      {"workdir", Setting::Text("The working directory")},
      {"dest", Setting::Text("Where in the image the context goes (default /)")},
      {"user", Setting::Text("The user the container runs as")},
      {"include-secrets", Setting::TextList("Context files packed although they look like secrets (.env*, *.key, .asap-config, "
                                            "SSH and PEM private keys), relative to the context; anything else that looks "
                                            "like one is refused unless .dockerignore leaves it out")
                              .CredentialFile()},
  };
}

Result<BuilderFit> BerthBuilder::Check(const BuildRequest&) noexcept {
  return BuilderFit{.usable = true, .preference = 0, .ignores_dockerfile = true};
}

Result<BuildOutcome> BerthBuilder::Build(const BuildRequest& request) noexcept {
  return CaptureResult([&] {
    ImageSpec spec;
    spec.context = request.context;
    spec.settings = settings_.is_object() ? settings_ : nlohmann::json::object();
    spec.base = ResolveBase(request.project_dir, spec.settings.value("base", std::string("scratch")));
    spec.mtime = request.source_date_epoch;
    return BuildOutcome{BuildImage(spec, oci::ImageLocation::Parse(request.output)).manifest_digest.str()};
  });
}

}  // namespace berth::builders
