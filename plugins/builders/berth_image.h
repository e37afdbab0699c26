// berth's own builder: no daemon, no Dockerfile. Puts one reproducible layer
// made from the context directory on a base image (an OCI layout, a
// docker-archive, or nothing) with a config from berth.yaml's build settings,
// and writes the result as an OCI image layout.
#ifndef BERTH_PLUGINS_BUILDERS_BERTH_IMAGE_H_
#define BERTH_PLUGINS_BUILDERS_BERTH_IMAGE_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

#include "berth/oci/reference.h"
#include "berth/util/digest.h"

namespace berth::builders {

struct ImageSpec {
  std::filesystem::path context;
  // "scratch", "oci:DIR[:TAG]" or "docker-archive:FILE".
  std::string base = "scratch";
  // build.settings: entrypoint, cmd, env (map or list), ports, labels,
  // workdir, dest, user, include-secrets. Unknown keys are refused.
  nlohmann::json settings = nlohmann::json::object();
  int64_t mtime = 0;
};

struct BuiltImage {
  oci::ImageLocation output;
  Digest manifest_digest = Digest::Of("");
  Digest config_digest = Digest::Of("");
  Digest layer_digest = Digest::Of("");
  int64_t manifest_size = 0;
  int layers = 0;
  nlohmann::json ToJson() const;
};

// Writes an OCI layout at `output` (kind kOciLayout) holding only the built
// image under output.tag. The layer holds the context as SelectContextFiles
// chooses it (context_files.h: .dockerignore, no secret-looking files), each
// entry logged at info level (-v): built in a temporary sibling directory and swapped
// into place, so a failure leaves what was there before.
BuiltImage BuildImage(const ImageSpec& spec, const oci::ImageLocation& output);

}  // namespace berth::builders

#endif  // BERTH_PLUGINS_BUILDERS_BERTH_IMAGE_H_
