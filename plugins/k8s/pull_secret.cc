#include "pull_secret.h"

#include <openssl/crypto.h>

#include "apply.h"
#include "berth/error.h"
#include "berth/oci/docker_auth.h"
#include "berth/oci/host_registry.h"
#include "berth/oci/reference.h"
#include "berth/util/base64.h"
#include "berth/util/log.h"
#include "berth/util/redact.h"
#include "manifests.h"

namespace berth::k8s {
namespace {

const nlohmann::json& Member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  return object.is_object() && object.contains(key) ? object[key] : kNull;
}

std::string Text(const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : ""; }

bool SameSecretText(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

const char* KindName(oci::Credential::Kind kind) {
  return kind == oci::Credential::Kind::kIdentityToken ? "an identity (refresh) token" : "a registry bearer token";
}

}  // namespace

CredentialLookup HostCredentialLookup() {
  return [](const std::string& registry, const std::string& repository) {
    return oci::HostRegistry::CredentialFor(registry, {"repository:" + repository + ":pull"});
  };
}

std::string PullSecretName(const TargetSettings& settings, const std::string& object_name) {
  if (settings.pull_secret == kPullSecretNone) return "";
  if (settings.pull_secret == kPullSecretAuto) return object_name + "-pull";
  return settings.pull_secret;
}

nlohmann::json RenderPullSecret(const std::string& name, const std::string& namespace_name, const std::string& object_name,
                                const std::string& registry, const oci::Credential& credential) {
  if (credential.kind != oci::Credential::Kind::kBasic) {
    // The kubelet reads auth (user:password) only; it cannot exchange a
    // refresh token or present a token minted for berth's own client.
    throw Error(ErrorCode::kAuth, "k8s target setting 'pull_secret': berth's credential for " + registry +
                                      (credential.origin.empty() ? "" : " (from " + credential.origin + ")") + " is " +
                                      KindName(credential.kind) +
                                      ", which the kubelet cannot pull with; log in with a username and password or "
                                      "token (berth login " + registry + " -u USER), or set pull_secret: none");
  }
  RegisterSecret(credential.secret.Reveal());
  // Only the image's own registry: the credential goes nowhere else.
  nlohmann::json config = {{"auths", {{oci::DockerConfigKey(registry), oci::DockerAuthEntry(credential.username, credential.secret)}}}};
  std::string text = config.dump();
  RegisterSecret(text);
  std::string encoded = Base64Encode(text);
  RegisterSecret(encoded);
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata",
           {{"name", name},
            {"namespace", namespace_name},
            {"labels", {{kManagedByLabel, "berth"}, {kNameLabel, object_name}}},
            {"annotations", {{kRegistryAnnotation, registry}}}}},
          {"type", kDockerConfigJsonType},
          {"data", {{kDockerConfigJsonKey, encoded}}}};
}

std::optional<PullSecret> PreparePullSecret(const TargetSettings& settings, const std::string& object_name,
                                            const std::string& namespace_name, const std::string& image,
                                            const CredentialLookup& lookup) {
  std::string name = PullSecretName(settings, object_name);
  if (name.empty()) return std::nullopt;
  oci::Reference reference = oci::Reference::Parse(image);
  oci::Credential credential = lookup(reference.registry, reference.repository);
  if (credential.kind == oci::Credential::Kind::kAnonymous) {
    if (settings.pull_secret == kPullSecretAuto) {
      log::Info("k8s: berth has no credential for {}; no image pull secret (pull_secret: auto)", reference.registry);
      return std::nullopt;
    }
    throw Error(ErrorCode::kAuth, "k8s target setting 'pull_secret': berth has no credential for " + reference.registry +
                                      " to put in Secret " + namespace_name + "/" + name + " (berth login " +
                                      reference.registry + ", or set pull_secret: auto to go without)");
  }
  if (credential.username == "oauth2accesstoken") {
    // Google access tokens last an hour: pods scheduled later cannot pull.
    log::Warn("k8s: the credential for {} is a short-lived access token; Secret {}/{} stops working when it expires, "
              "until the next deploy (docs/k8s.md, private images)",
              reference.registry, namespace_name, name);
  }
  PullSecret secret;
  secret.name = name;
  secret.namespace_name = namespace_name;
  secret.registry = reference.registry;
  secret.object = RenderPullSecret(name, namespace_name, object_name, reference.registry, credential);
  return secret;
}

PullSecretChange CompareWithLive(const PullSecret& secret, const std::optional<nlohmann::json>& live) {
  if (!live) return PullSecretChange::kCreate;
  const nlohmann::json& metadata = Member(*live, "metadata");
  if (Text(Member(Member(metadata, "labels"), kManagedByLabel)) != "berth") {
    throw Error(ErrorCode::kDeploy, secret.Describe() + " exists and berth does not manage it (no " + kManagedByLabel +
                                        "=berth label), so berth leaves it alone; name another pull_secret, or list it "
                                        "in image_pull_secrets");
  }
  const nlohmann::json& wanted = secret.object;
  bool same = Text(Member(*live, "type")) == kDockerConfigJsonType &&
              Text(Member(Member(metadata, "labels"), kNameLabel)) == Text(wanted["metadata"]["labels"][kNameLabel]) &&
              Text(Member(Member(metadata, "annotations"), kRegistryAnnotation)) == secret.registry;
  const nlohmann::json& data = Member(*live, "data");
  same = same && SameSecretText(Text(Member(data, kDockerConfigJsonKey)), wanted["data"][kDockerConfigJsonKey].get<std::string>());
  return same ? PullSecretChange::kUnchanged : PullSecretChange::kUpdate;
}

PullSecretChange ApplyPullSecret(KubeClient& client, const PullSecret& secret) {
  PullSecretChange change = CompareWithLive(secret, client.GetIfExists(SecretPath(secret.namespace_name, secret.name)));
  if (change == PullSecretChange::kUnchanged) return change;
  ApplyOptions options;
  // berth's own Secret (the label says so): its fields are berth's to set,
  // whoever edited them since.
  options.force = true;
  ServerSideApply(client, secret.object, options);
  return change;
}

std::string ChangeVerb(PullSecretChange change) {
  switch (change) {
    case PullSecretChange::kCreate: return "create";
    case PullSecretChange::kUpdate: return "update";
    case PullSecretChange::kUnchanged: return "unchanged";
  }
  return "";
}

}  // namespace berth::k8s
