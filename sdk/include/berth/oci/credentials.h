// Registry credentials as docker, podman and skopeo keep them: docker's
// config.json (auths, credHelpers, credsStore), DOCKER_AUTH_CONFIG, and
// containers' auth.json, with docker-credential-* helpers run by their
// protocol (the secret travels on stdin/stdout, never argv).
#ifndef BERTH_OCI_CREDENTIALS_H_
#define BERTH_OCI_CREDENTIALS_H_

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "berth/oci/docker_auth.h"  // DockerConfigKey
#include "berth/secret.h"

namespace berth::oci {

struct Credential {
  enum class Kind {
    kAnonymous,
    kBasic,          // username + password (or PAT).
    kIdentityToken,  // An OAuth2 refresh token for the registry's token service.
    kBearer,         // A registry token to send as is (a plugin minted it).
  };
  Kind kind = Kind::kAnonymous;
  std::string username;
  SecretValue secret;
  std::string origin;  // Where it came from, for messages: "/home/u/.docker/config.json".
  std::optional<std::chrono::system_clock::time_point> expires;  // kBearer.
};

// (registry host, scopes such as "repository:team/app:pull,push") -> credential.
using CredentialFn = std::function<Credential(const std::string& host, const std::vector<std::string>& scopes)>;

class CredentialStore {
 public:
  // Paths from the environment: DOCKER_CONFIG (else ~/.docker), DOCKER_AUTH_CONFIG,
  // REGISTRY_AUTH_FILE (else $XDG_RUNTIME_DIR/containers/auth.json).
  CredentialStore();

  // The first match: DOCKER_AUTH_CONFIG, docker config.json (credHelpers[host],
  // credsStore, auths), then containers auth.json. Anonymous when none.
  // Throws Error(kAuth) when a configured helper fails.
  Credential Lookup(const std::string& registry) const;

  // login: through credHelpers[host] or credsStore when configured, else into
  // config.json's auths (0600). Returns where it went.
  std::string Store(const std::string& registry, const std::string& username, const SecretValue& secret,
                    bool identity_token) const;
  // logout: false when there was nothing to remove.
  bool Erase(const std::string& registry) const;

  const std::filesystem::path& docker_config_path() const { return docker_config_; }

 private:
  std::filesystem::path docker_config_;
  std::filesystem::path auth_file_;
};

}  // namespace berth::oci

#endif  // BERTH_OCI_CREDENTIALS_H_
