#include "core/release/signing_policy.h"

#include <set>

#include "berth/error.h"
#include "berth/signer.h"
#include "berth/util/log.h"

namespace berth::host {
namespace {

bool Applies(const ProjectConfig& project) { return project.signing && project.signing->required; }

std::string PublicKey(const ProjectConfig& project) {
  if (project.signing->public_key.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                project.file.string() + ": signing.required is true but signing.public_key is not set");
  }
  return (project.dir / project.signing->public_key).string();
}

}  // namespace

std::optional<std::string> SigningPolicyAction(const ProjectConfig& project) {
  if (!Applies(project)) return std::nullopt;
  return "verify the image's signatures with " + project.signing->public_key + " (signing.required) before deploying";
}

void EnforceSigningPolicy(const ProjectConfig& project, Services& services, const std::string& image) {
  if (!Applies(project)) return;
  std::string key = PublicKey(project);
  auto signer = services.OpenSigner(project.signing->signer, project.signing->settings).value();
  VerifyRequest request;
  request.image = image;
  request.key = key;
  Result<VerifyResult> verified = signer->Verify(services, request);
  const std::string policy = "signing policy (" + project.file.filename().string() + " signing.required)";
  if (!verified.ok()) {
    throw Error(ErrorCode::kVerification, policy + ": cannot verify " + image + ": " + verified.status().message());
  }
  const VerifyResult& result = verified.value();
  if (result.Verified()) {
    log::Info("{}: {} verifies with {}", policy, image, project.signing->public_key);
    return;
  }
  std::set<std::string> outcomes;
  for (const auto& check : result.checks) outcomes.insert(check.outcome);
  std::string why = result.checks.empty() ? "no signatures" : "";
  for (const auto& outcome : outcomes) why += (why.empty() ? "" : ", ") + outcome;
  throw Error(ErrorCode::kVerification, policy + ": no signature of " + image + " verifies with " +
                                            project.signing->public_key + " (" + why + "); refusing to deploy");
}

}  // namespace berth::host
