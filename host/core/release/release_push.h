// berth release's push step: the built image goes to every registry of
// berth.yaml in one fan-out (berth/oci/fan_out.h), so each blob is read
// once; the other tags then only put the manifest. A registry that fails is
// reported on its own; the others complete.
#ifndef BERTH_HOST_CORE_RELEASE_RELEASE_PUSH_H_
#define BERTH_HOST_CORE_RELEASE_RELEASE_PUSH_H_

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "berth/error.h"
#include "berth/oci/image.h"
#include "berth/util/digest.h"
#include "core/registry/registry_router.h"

namespace berth::host::release {

struct PushOutcome {
  Digest digest = Digest::Of("");
  std::vector<std::string> images;           // "repo:tag" that now hold the release.
  nlohmann::json copies = nlohmann::json::array();  // One per repo:tag: the copy's JSON plus "image" (and "error").
  std::vector<std::string> errors;           // One line per failed repository, naming it.
  ErrorCode code = ErrorCode::kOk;
  bool ok() const { return errors.empty(); }
};

// `step` tells people what is happening (release prints it on stderr).
PushOutcome PushToRegistries(RegistryRouter& router, oci::ImageSource& source, const std::vector<std::string>& repositories,
                             const std::vector<std::string>& tags, const std::function<void(const std::string&)>& step);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_RELEASE_PUSH_H_
