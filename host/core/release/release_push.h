// berth release's registry steps. The image goes to every registry of
// berth.yaml by digest in one fan-out (berth/oci/fan_out.h), so each blob is
// read once and no tag moves; the tags move only after the image is signed
// (MoveTags), which makes them the release's commit point.
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

using StepReporter = std::function<void(const std::string&)>;

struct PushOutcome {
  Digest digest = Digest::Of("");
  nlohmann::json copies = nlohmann::json::array();  // One per repository: the copy's JSON plus "image" (and "error").
  std::vector<std::string> errors;           // One line per failed repository, naming it.
  ErrorCode code = ErrorCode::kOk;
  bool ok() const { return errors.empty(); }
};

// Every repository receives the image as repository@digest; a registry that
// fails is reported on its own while the others complete.
PushOutcome PushByDigest(RegistryRouter& router, oci::ImageSource& source, const std::vector<std::string>& repositories,
                         const StepReporter& step);

// Puts the top manifest under `tag` in `repository` (which holds the image
// by digest already). Throws the registry's error naming the image.
void MoveTag(RegistryRouter& router, const oci::Manifest& top, const std::string& repository, const std::string& tag);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_RELEASE_PUSH_H_
