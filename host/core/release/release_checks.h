// The checks `berth release` makes against the world before its first byte
// moves: every registry takes this run's pushes and has no release tag that
// names something else, and the signing key unlocks. A release that would
// fail half way fails here instead, with nothing pushed.
#ifndef BERTH_HOST_CORE_RELEASE_RELEASE_CHECKS_H_
#define BERTH_HOST_CORE_RELEASE_RELEASE_CHECKS_H_

#include <functional>
#include <string>
#include <vector>

#include "berth/error.h"
#include "berth/signer.h"
#include "core/registry/registry_router.h"
#include "core/release/release_plan.h"
#include "core/release/tag_guard.h"

namespace berth::host::release {

struct RegistryChecks {
  std::vector<RepositoryTags> tags;  // One per repository that answered.
  std::vector<std::string> errors;   // One line per repository that did not, naming it.
  ErrorCode code = ErrorCode::kOk;   // The first error's.
  bool ok() const { return errors.empty(); }
};

// For every repository: push access (an upload session opened and
// cancelled, so a refused credential shows now and not after the build), and
// what each immutable release tag names now.
RegistryChecks CheckRegistries(RegistryRouter& router, const std::vector<std::string>& repositories,
                               const std::vector<RenderedTag>& tags, const std::function<void(const std::string&)>& step);

// Unlocks the key (a signer keeps it for the signatures that follow).
// Returns false when the signer is too old to check ahead; throws the
// signer's error (a wrong password, a missing key file) otherwise.
bool CheckSigningKey(Signer& signer, const std::string& signer_name, const std::string& key);

}  // namespace berth::host::release

#endif  // BERTH_HOST_CORE_RELEASE_RELEASE_CHECKS_H_
