// How the SDK's C++ types travel across the C boundary: as JSON objects.
//
// Both sides compile this code with their own compiler, so the JSON text is
// the contract, not any C++ layout. Field names are stable: new fields may be
// added (readers ignore what they do not know, and default what is missing),
// none is renamed or removed within an ABI major version.
#ifndef BERTH_ABI_CODEC_H_
#define BERTH_ABI_CODEC_H_

#include <nlohmann/json.hpp>

#include "berth/command.h"
#include "berth/credential_provider.h"
#include "berth/error.h"
#include "berth/oci/credentials.h"
#include "berth/plugin.h"
#include "berth/secret_store.h"
#include "berth/signer.h"
#include "berth/target.h"

namespace berth {

void to_json(nlohmann::json& json, const Provision& provision);
void from_json(const nlohmann::json& json, Provision& provision);
void to_json(nlohmann::json& json, const OptionSpec& option);
void from_json(const nlohmann::json& json, OptionSpec& option);
void to_json(nlohmann::json& json, const CommandSpec& spec);
void from_json(const nlohmann::json& json, CommandSpec& spec);

void to_json(nlohmann::json& json, const SecretDiffEntry& entry);
void from_json(const nlohmann::json& json, SecretDiffEntry& entry);

void to_json(nlohmann::json& json, const TargetQuery& query);
void from_json(const nlohmann::json& json, TargetQuery& query);
void to_json(nlohmann::json& json, const HealthCheck& check);
void from_json(const nlohmann::json& json, HealthCheck& check);
void to_json(nlohmann::json& json, const DeployRequest& request);
void from_json(const nlohmann::json& json, DeployRequest& request);
void to_json(nlohmann::json& json, const DeployPlan& plan);
void from_json(const nlohmann::json& json, DeployPlan& plan);
void to_json(nlohmann::json& json, const DeployOutcome& outcome);
void from_json(const nlohmann::json& json, DeployOutcome& outcome);
void to_json(nlohmann::json& json, const TargetStatus& status);
void from_json(const nlohmann::json& json, TargetStatus& status);
void to_json(nlohmann::json& json, const TargetRevision& revision);
void from_json(const nlohmann::json& json, TargetRevision& revision);
void to_json(nlohmann::json& json, const RollbackRequest& request);
void from_json(const nlohmann::json& json, RollbackRequest& request);

void to_json(nlohmann::json& json, const KeyCheckRequest& request);
void from_json(const nlohmann::json& json, KeyCheckRequest& request);
void to_json(nlohmann::json& json, const KeyCheckResult& result);
void from_json(const nlohmann::json& json, KeyCheckResult& result);
void to_json(nlohmann::json& json, const KeyGenRequest& request);
void from_json(const nlohmann::json& json, KeyGenRequest& request);
void to_json(nlohmann::json& json, const KeyGenResult& result);
void from_json(const nlohmann::json& json, KeyGenResult& result);
void to_json(nlohmann::json& json, const SignRequest& request);
void from_json(const nlohmann::json& json, SignRequest& request);
void to_json(nlohmann::json& json, const SignResult& result);
void from_json(const nlohmann::json& json, SignResult& result);
void to_json(nlohmann::json& json, const VerifyRequest& request);
void from_json(const nlohmann::json& json, VerifyRequest& request);
void to_json(nlohmann::json& json, const SignatureCheck& check);
void from_json(const nlohmann::json& json, SignatureCheck& check);
void to_json(nlohmann::json& json, const VerifyResult& result);
void from_json(const nlohmann::json& json, VerifyResult& result);

void to_json(nlohmann::json& json, const TokenRequest& request);
void from_json(const nlohmann::json& json, TokenRequest& request);
// The token value itself travels: a CredentialProvider exists to hand it over.
void to_json(nlohmann::json& json, const IssuedToken& token);
void from_json(const nlohmann::json& json, IssuedToken& token);

namespace oci {
// The secret travels: a registry plugin exists to hand credentials to the
// host's registry client, which sends them only to that registry.
void to_json(nlohmann::json& json, const Credential& credential);
void from_json(const nlohmann::json& json, Credential& credential);
}  // namespace oci

namespace abi {

// Parses JSON text that came across the boundary; a malformed text is a
// plugin error naming `what` ("reply of target.deploy").
nlohmann::json ParseJson(const char* data, size_t size, const std::string& what);

}  // namespace abi
}  // namespace berth

#endif  // BERTH_ABI_CODEC_H_
