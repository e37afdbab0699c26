// The `auths` entries of a docker config.json, as docker, podman and the
// kubelet read them (an imagePullSecret of type kubernetes.io/dockerconfigjson
// holds such a file). Pure code, compiled into plugins too, so that
// `berth login` and a plugin handing a credential to a cluster write the
// same entry under the same key.
#ifndef BERTH_OCI_DOCKER_AUTH_H_
#define BERTH_OCI_DOCKER_AUTH_H_

#include <nlohmann/json.hpp>

#include <string>

#include "berth/secret.h"

namespace berth::oci {

// The key docker uses for a registry in config.json and with helpers
// ("https://index.docker.io/v1/" for Docker Hub, else the host).
std::string DockerConfigKey(const std::string& registry);

// {"auth": base64("USERNAME:PASSWORD")}, docker login's own form. The auth
// value is registered for redaction before it is returned.
nlohmann::json DockerAuthEntry(const std::string& username, const SecretValue& password);

}  // namespace berth::oci

#endif  // BERTH_OCI_DOCKER_AUTH_H_
