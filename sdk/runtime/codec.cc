#include "berth/abi/codec.h"

namespace berth {
namespace {

// Missing fields keep the struct's default: a newer side may send more, an
// older side less.
template <typename T>
void Read(const nlohmann::json& json, const char* key, T& field) {
  if (auto it = json.find(key); it != json.end() && !it->is_null()) it->get_to(field);
}

template <typename T>
void ReadOptional(const nlohmann::json& json, const char* key, std::optional<T>& field) {
  if (auto it = json.find(key); it != json.end() && !it->is_null()) field = it->get<T>();
}

template <typename T>
void WriteOptional(nlohmann::json& json, const char* key, const std::optional<T>& field) {
  if (field) json[key] = *field;
}

void ReadSeconds(const nlohmann::json& json, const char* key, std::chrono::seconds& field) {
  if (auto it = json.find(key); it != json.end() && it->is_number_integer()) field = std::chrono::seconds(it->get<int64_t>());
}

const char* OptionKindName(OptionSpec::Kind kind) {
  switch (kind) {
    case OptionSpec::Kind::kFlag: return "flag";
    case OptionSpec::Kind::kValue: return "value";
    case OptionSpec::Kind::kList: return "list";
  }
  return "value";
}

}  // namespace

void to_json(nlohmann::json& json, const Provision& provision) {
  json = {{"kind", ProvidedKindName(provision.kind)},
          {"name", provision.name},
          {"summary", provision.summary},
          {"hosts", provision.hosts}};
  if (!provision.settings.is_null()) json["settings"] = provision.settings;
}
void from_json(const nlohmann::json& json, Provision& provision) {
  auto kind = ParseProvidedKind(json.value("kind", ""));
  if (!kind) throw Error(ErrorCode::kPlugin, "unknown kind '" + json.value("kind", "") + "'");
  provision.kind = *kind;
  Read(json, "name", provision.name);
  Read(json, "summary", provision.summary);
  Read(json, "hosts", provision.hosts);
  provision.settings = json.value("settings", nlohmann::json());
}

void to_json(nlohmann::json& json, const OptionSpec& option) {
  json = {{"name", option.name},
          {"short_name", option.short_name},
          {"kind", OptionKindName(option.kind)},
          {"help", option.help},
          {"value_name", option.value_name},
          {"required", option.required},
          {"position", option.position}};
  WriteOptional(json, "default", option.default_value);
}
void from_json(const nlohmann::json& json, OptionSpec& option) {
  Read(json, "name", option.name);
  Read(json, "short_name", option.short_name);
  std::string kind = json.value("kind", "value");
  option.kind = kind == "flag" ? OptionSpec::Kind::kFlag : kind == "list" ? OptionSpec::Kind::kList : OptionSpec::Kind::kValue;
  Read(json, "help", option.help);
  Read(json, "value_name", option.value_name);
  Read(json, "required", option.required);
  Read(json, "position", option.position);
  ReadOptional(json, "default", option.default_value);
}

void to_json(nlohmann::json& json, const CommandSpec& spec) {
  json = {{"path", spec.path}, {"summary", spec.summary}, {"description", spec.description}, {"options", spec.options}};
}
void from_json(const nlohmann::json& json, CommandSpec& spec) {
  Read(json, "path", spec.path);
  Read(json, "summary", spec.summary);
  Read(json, "description", spec.description);
  Read(json, "options", spec.options);
}

void to_json(nlohmann::json& json, const SecretDiffEntry& entry) {
  json = {{"name", entry.name}, {"change", SecretChangeName(entry.change)}};
}
void from_json(const nlohmann::json& json, SecretDiffEntry& entry) {
  Read(json, "name", entry.name);
  std::string change = json.value("change", "changed");
  entry.change = change == "added"       ? SecretChange::kAdded
                 : change == "unchanged" ? SecretChange::kUnchanged
                 : change == "removed"   ? SecretChange::kRemoved
                                         : SecretChange::kChanged;
}

void to_json(nlohmann::json& json, const TargetQuery& query) {
  json = {{"service", query.service},
          {"environment", query.environment},
          {"settings", query.settings},
          {"project_dir", query.project_dir.string()}};
}
void from_json(const nlohmann::json& json, TargetQuery& query) {
  Read(json, "service", query.service);
  Read(json, "environment", query.environment);
  Read(json, "settings", query.settings);
  query.project_dir = json.value("project_dir", "");
}

void to_json(nlohmann::json& json, const HealthCheck& check) {
  json = {{"url", check.url},
          {"path", check.path},
          {"timeout_seconds", check.timeout.count()},
          {"interval_seconds", check.interval.count()}};
}
void from_json(const nlohmann::json& json, HealthCheck& check) {
  Read(json, "url", check.url);
  Read(json, "path", check.path);
  ReadSeconds(json, "timeout_seconds", check.timeout);
  ReadSeconds(json, "interval_seconds", check.interval);
}

void to_json(nlohmann::json& json, const DeployRequest& request) {
  json = {{"target", request.target},
          {"image", request.image},
          {"version", request.version},
          {"wait_healthy", request.wait_healthy},
          {"timeout_seconds", request.timeout.count()}};
  WriteOptional(json, "health", request.health);
}
void from_json(const nlohmann::json& json, DeployRequest& request) {
  Read(json, "target", request.target);
  Read(json, "image", request.image);
  Read(json, "version", request.version);
  ReadOptional(json, "health", request.health);
  Read(json, "wait_healthy", request.wait_healthy);
  ReadSeconds(json, "timeout_seconds", request.timeout);
}

void to_json(nlohmann::json& json, const DeployPlan& plan) {
  json = {{"actions", plan.actions}, {"documents", plan.documents}, {"diff", plan.diff}};
}
void from_json(const nlohmann::json& json, DeployPlan& plan) {
  Read(json, "actions", plan.actions);
  Read(json, "documents", plan.documents);
  Read(json, "diff", plan.diff);
}

void to_json(nlohmann::json& json, const DeployOutcome& outcome) {
  json = {{"revision", outcome.revision},
          {"url", outcome.url},
          {"healthy", outcome.healthy},
          {"health_checked", outcome.health_checked},
          {"problem", outcome.problem},
          {"details", outcome.details}};
  if (!outcome.spec.is_null()) json["spec"] = outcome.spec;
}
void from_json(const nlohmann::json& json, DeployOutcome& outcome) {
  Read(json, "revision", outcome.revision);
  Read(json, "url", outcome.url);
  Read(json, "healthy", outcome.healthy);
  Read(json, "health_checked", outcome.health_checked);
  Read(json, "problem", outcome.problem);
  Read(json, "details", outcome.details);
  outcome.spec = json.value("spec", nlohmann::json());
}

void to_json(nlohmann::json& json, const TargetStatus& status) {
  json = {{"image", status.image},     {"revision", status.revision}, {"url", status.url},
          {"ready", status.ready},     {"message", status.message},   {"details", status.details}};
  // Optional, so that hosts and plugins built before it was added read the
  // same JSON as before.
  if (!status.version.empty()) json["version"] = status.version;
}
void from_json(const nlohmann::json& json, TargetStatus& status) {
  Read(json, "image", status.image);
  Read(json, "revision", status.revision);
  Read(json, "url", status.url);
  Read(json, "ready", status.ready);
  Read(json, "message", status.message);
  Read(json, "details", status.details);
  Read(json, "version", status.version);
}

void to_json(nlohmann::json& json, const TargetRevision& revision) {
  json = {{"revision", revision.revision},
          {"image", revision.image},
          {"version", revision.version},
          {"created_at", revision.created_at},
          {"current", revision.current}};
}
void from_json(const nlohmann::json& json, TargetRevision& revision) {
  Read(json, "revision", revision.revision);
  Read(json, "image", revision.image);
  Read(json, "version", revision.version);
  Read(json, "created_at", revision.created_at);
  Read(json, "current", revision.current);
}

void to_json(nlohmann::json& json, const RollbackRequest& request) {
  json = {{"target", request.target}, {"wait_healthy", request.wait_healthy}, {"timeout_seconds", request.timeout.count()}};
  WriteOptional(json, "revision", request.revision);
  WriteOptional(json, "image", request.image);
  WriteOptional(json, "version", request.version);
  WriteOptional(json, "spec", request.spec);
  WriteOptional(json, "health", request.health);
}
void from_json(const nlohmann::json& json, RollbackRequest& request) {
  Read(json, "target", request.target);
  ReadOptional(json, "revision", request.revision);
  ReadOptional(json, "image", request.image);
  ReadOptional(json, "version", request.version);
  ReadOptional(json, "spec", request.spec);
  ReadOptional(json, "health", request.health);
  Read(json, "wait_healthy", request.wait_healthy);
  ReadSeconds(json, "timeout_seconds", request.timeout);
}

void to_json(nlohmann::json& json, const KeyCheckRequest& request) { json = {{"key", request.key}}; }
void from_json(const nlohmann::json& json, KeyCheckRequest& request) { Read(json, "key", request.key); }
void to_json(nlohmann::json& json, const KeyCheckResult& result) { json = {{"checked", result.checked}, {"key_id", result.key_id}}; }
void from_json(const nlohmann::json& json, KeyCheckResult& result) {
  Read(json, "checked", result.checked);
  Read(json, "key_id", result.key_id);
}
void to_json(nlohmann::json& json, const KeyGenRequest& request) {
  json = {{"output_prefix", request.output_prefix}, {"force", request.force}};
}
void from_json(const nlohmann::json& json, KeyGenRequest& request) {
  Read(json, "output_prefix", request.output_prefix);
  Read(json, "force", request.force);
}
void to_json(nlohmann::json& json, const KeyGenResult& result) {
  json = {{"private_key", result.private_key},
          {"public_key", result.public_key},
          {"key_id", result.key_id},
          {"algorithm", result.algorithm}};
}
void from_json(const nlohmann::json& json, KeyGenResult& result) {
  Read(json, "private_key", result.private_key);
  Read(json, "public_key", result.public_key);
  Read(json, "key_id", result.key_id);
  Read(json, "algorithm", result.algorithm);
}

void to_json(nlohmann::json& json, const SignRequest& request) {
  json = {{"image", request.image}, {"key", request.key}, {"annotations", request.annotations}, {"dry_run", request.dry_run}};
}
void from_json(const nlohmann::json& json, SignRequest& request) {
  Read(json, "image", request.image);
  Read(json, "key", request.key);
  Read(json, "annotations", request.annotations);
  Read(json, "dry_run", request.dry_run);
}
void to_json(nlohmann::json& json, const SignResult& result) {
  json = {{"image", result.image},
          {"digest", result.digest},
          {"signature", result.signature},
          {"signature_digest", result.signature_digest},
          {"key_id", result.key_id},
          {"already_signed", result.already_signed},
          {"pushed", result.pushed}};
}
void from_json(const nlohmann::json& json, SignResult& result) {
  Read(json, "image", result.image);
  Read(json, "digest", result.digest);
  Read(json, "signature", result.signature);
  Read(json, "signature_digest", result.signature_digest);
  Read(json, "key_id", result.key_id);
  Read(json, "already_signed", result.already_signed);
  Read(json, "pushed", result.pushed);
}
void to_json(nlohmann::json& json, const VerifyRequest& request) {
  json = {{"image", request.image}, {"key", request.key}, {"annotations", request.annotations}};
}
void from_json(const nlohmann::json& json, VerifyRequest& request) {
  Read(json, "image", request.image);
  Read(json, "key", request.key);
  Read(json, "annotations", request.annotations);
}
void to_json(nlohmann::json& json, const SignatureCheck& check) {
  json = {{"id", check.id},           {"format", check.format},   {"valid", check.valid},
          {"outcome", check.outcome}, {"message", check.message}, {"payload", check.payload}};
}
void from_json(const nlohmann::json& json, SignatureCheck& check) {
  Read(json, "id", check.id);
  Read(json, "format", check.format);
  Read(json, "valid", check.valid);
  Read(json, "outcome", check.outcome);
  Read(json, "message", check.message);
  if (json.contains("payload")) check.payload = json["payload"];
}
void to_json(nlohmann::json& json, const VerifyResult& result) {
  json = {{"image", result.image}, {"digest", result.digest}, {"signature", result.signature}, {"checks", result.checks}};
}
void from_json(const nlohmann::json& json, VerifyResult& result) {
  Read(json, "image", result.image);
  Read(json, "digest", result.digest);
  Read(json, "signature", result.signature);
  Read(json, "checks", result.checks);
}

void to_json(nlohmann::json& json, const TokenRequest& request) {
  json = {{"audience", request.audience}, {"scopes", request.scopes}};
  WriteOptional(json, "lifetime_seconds", request.lifetime_seconds);
  WriteOptional(json, "subject", request.subject);
}
void from_json(const nlohmann::json& json, TokenRequest& request) {
  Read(json, "audience", request.audience);
  Read(json, "scopes", request.scopes);
  ReadOptional(json, "lifetime_seconds", request.lifetime_seconds);
  ReadOptional(json, "subject", request.subject);
}
void to_json(nlohmann::json& json, const IssuedToken& token) {
  json = {{"value", token.value.Reveal()},
          {"scheme", token.scheme},
          {"expires_at", token.expires_at},
          {"key_id", token.key_id}};
}
void from_json(const nlohmann::json& json, IssuedToken& token) {
  token.value = SecretValue(json.value("value", ""));
  Read(json, "scheme", token.scheme);
  Read(json, "expires_at", token.expires_at);
  Read(json, "key_id", token.key_id);
}

namespace oci {
namespace {
const char* CredentialKindName(Credential::Kind kind) {
  switch (kind) {
    case Credential::Kind::kAnonymous: return "anonymous";
    case Credential::Kind::kBasic: return "basic";
    case Credential::Kind::kIdentityToken: return "identity-token";
    case Credential::Kind::kBearer: return "bearer";
  }
  return "anonymous";
}
}  // namespace

void to_json(nlohmann::json& json, const Credential& credential) {
  json = {{"kind", CredentialKindName(credential.kind)},
          {"username", credential.username},
          {"secret", credential.secret.Reveal()},
          {"origin", credential.origin}};
  if (credential.expires) {
    json["expires_at"] =
        std::chrono::duration_cast<std::chrono::seconds>(credential.expires->time_since_epoch()).count();
  }
}
void from_json(const nlohmann::json& json, Credential& credential) {
  std::string kind = json.value("kind", "anonymous");
  credential.kind = kind == "basic"            ? Credential::Kind::kBasic
                    : kind == "identity-token" ? Credential::Kind::kIdentityToken
                    : kind == "bearer"         ? Credential::Kind::kBearer
                                               : Credential::Kind::kAnonymous;
  Read(json, "username", credential.username);
  credential.secret = SecretValue(json.value("secret", ""));
  Read(json, "origin", credential.origin);
  if (auto it = json.find("expires_at"); it != json.end() && it->is_number_integer()) {
    credential.expires = std::chrono::system_clock::time_point(std::chrono::seconds(it->get<int64_t>()));
  }
}
}  // namespace oci

namespace abi {

nlohmann::json ParseJson(const char* data, size_t size, const std::string& what) {
  if (data == nullptr || size == 0) return nlohmann::json::object();
  nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw Error(ErrorCode::kPlugin, "the " + what + " is not valid JSON");
  return json;
}

}  // namespace abi
}  // namespace berth
