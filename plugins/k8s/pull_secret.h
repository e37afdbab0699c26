// The imagePullSecret berth makes from its own registry credential
// (`pull_secret` in the target settings): a kubernetes.io/dockerconfigjson
// Secret whose `auths` holds the image's registry and nothing else,
// labelled as berth's, applied only when what the cluster holds differs.
// The credential comes from the host ("registry.credential", the same one
// berth pushes with) and leaves berth only in the apply's request body to
// the API server: never in a log line, a plan's documents or argv, and it
// is compared with the cluster's copy without being printed.
#ifndef BERTH_PLUGINS_K8S_PULL_SECRET_H_
#define BERTH_PLUGINS_K8S_PULL_SECRET_H_

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

#include "berth/oci/credentials.h"
#include "k8s_settings.h"
#include "kube_client.h"

namespace berth::k8s {

inline constexpr char kDockerConfigJsonType[] = "kubernetes.io/dockerconfigjson";
inline constexpr char kDockerConfigJsonKey[] = ".dockerconfigjson";

// (registry host, repository) -> berth's credential for it; anonymous when none.
using CredentialLookup = std::function<oci::Credential(const std::string& registry, const std::string& repository)>;
// The host's "registry.credential", with pull scope on the repository.
CredentialLookup HostCredentialLookup();

struct PullSecret {
  std::string name;
  std::string namespace_name;
  std::string registry;   // The image's registry: the only key of `auths`.
  nlohmann::json object;  // The Secret to apply. Holds the credential: never print or log it.

  std::string Describe() const { return "Secret " + namespace_name + "/" + name; }
};

// The Secret's name the settings ask for: the setting, NAME-pull for auto,
// "" for none.
std::string PullSecretName(const TargetSettings& settings, const std::string& object_name);

// The Secret holding `credential` for `registry` alone, labelled as berth's.
// Its values are registered for redaction. Throws Error(kAuth) for a
// credential the kubelet cannot pull with (an identity or bearer token).
nlohmann::json RenderPullSecret(const std::string& name, const std::string& namespace_name, const std::string& object_name,
                                const std::string& registry, const oci::Credential& credential);

// The pull secret for `image`, or nullopt for pull_secret: none and for
// auto when berth has no credential for the image's registry (a public
// image needs none). Throws Error(kAuth) when a named pull secret has no
// credential to hold.
std::optional<PullSecret> PreparePullSecret(const TargetSettings& settings, const std::string& object_name,
                                            const std::string& namespace_name, const std::string& image,
                                            const CredentialLookup& lookup);

enum class PullSecretChange { kCreate, kUpdate, kUnchanged };

// What applying `secret` would do to the cluster's copy `live` (its value
// compared in constant time). Throws Error(kDeploy) when a Secret of that
// name exists that berth does not manage: berth never overwrites it.
PullSecretChange CompareWithLive(const PullSecret& secret, const std::optional<nlohmann::json>& live);

// Reads the cluster's copy and applies `secret` when it differs.
PullSecretChange ApplyPullSecret(KubeClient& client, const PullSecret& secret);

// "create", "update", "unchanged".
std::string ChangeVerb(PullSecretChange change);

}  // namespace berth::k8s

#endif  // BERTH_PLUGINS_K8S_PULL_SECRET_H_
