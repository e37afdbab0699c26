// The Artifactory docker registry Micros pulls from: its `app-<version>` tag
// convention and the basic-auth credentials (staff id + identity token) a
// push needs.
#ifndef BERTH_PLUGINS_MICROS_ARTIFACTORY_H_
#define BERTH_PLUGINS_MICROS_ARTIFACTORY_H_

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "berth/secret.h"

namespace berth::micros {

inline constexpr char kDefaultRegistryHost[] = "docker.atl-paas.net";
inline constexpr char kUserEnv[] = "ARTIFACTORY_USER";
inline constexpr char kTokenEnv[] = "ARTIFACTORY_TOKEN";

// "1.4.2" -> "app-1.4.2". A docker tag cannot hold '+', so semver build
// metadata ("1.4.2+build.7") becomes "app-1.4.2_build.7", as Helm does.
// Throws Error(kInvalidInput) for an empty version or one that is not a
// valid tag even then.
std::string AppTag(const std::string& version);

// "app-1.4.2" -> "1.4.2"; nullopt for tags outside the convention.
std::optional<std::string> VersionFromAppTag(const std::string& tag);

struct BasicCredentials {
  std::string username;   // The staff id.
  SecretValue password;   // The Artifactory identity token.
  std::string source;     // Where they came from, for messages: "environment", ".../config.json".
};

// Where credentials are looked up; injectable for tests.
struct CredentialSources {
  std::function<std::optional<std::string>(const std::string&)> getenv;  // Default: std::getenv.
  std::filesystem::path docker_config;  // Default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json.
};

CredentialSources DefaultCredentialSources();

// ARTIFACTORY_USER + ARTIFACTORY_TOKEN first (CI sets them), then the docker
// config's auths entry for `host` (what `docker login` writes). nullopt when
// neither has any (credential helpers are left to the generic lookup); throws
// Error(kAuth) for a half-set pair or an entry that cannot be decoded, naming
// the source but never the value.
std::optional<BasicCredentials> FindCredentials(const std::string& host, const CredentialSources& sources);

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_ARTIFACTORY_H_
