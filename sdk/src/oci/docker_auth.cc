#include "berth/oci/docker_auth.h"

#include "berth/oci/reference.h"
#include "berth/util/base64.h"
#include "berth/util/redact.h"

namespace berth::oci {

std::string DockerConfigKey(const std::string& registry) {
  std::string host = NormalizeRegistryHost(registry);
  return host == kDockerHub ? "https://index.docker.io/v1/" : host;
}

nlohmann::json DockerAuthEntry(const std::string& username, const SecretValue& password) {
  std::string auth = Base64Encode(username + ":" + password.Reveal());
  RegisterSecret(auth);
  return {{"auth", auth}};
}

}  // namespace berth::oci
