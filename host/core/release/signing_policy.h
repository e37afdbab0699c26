// berth.yaml's `signing.required`: berth deploys a digest only when one of its
// signatures verifies with `signing.public_key`. Checked by `berth deploy`,
// `berth rollback` to a ledger version or image, and `berth release --env`,
// right before the target is touched.
#ifndef BERTH_HOST_CORE_RELEASE_SIGNING_POLICY_H_
#define BERTH_HOST_CORE_RELEASE_SIGNING_POLICY_H_

#include <optional>
#include <string>

#include "berth/services.h"
#include "core/config/project_config.h"

namespace berth::host {

// The plan line for a dry run, when the policy applies.
std::optional<std::string> SigningPolicyAction(const ProjectConfig& project);

// Error(kVerification) naming the image and the key when no signature
// verifies; Error(kInvalidInput) when the policy has no public key.
void EnforceSigningPolicy(const ProjectConfig& project, Services& services, const std::string& image);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_RELEASE_SIGNING_POLICY_H_
