// Settings of the gcp-artifact plugin, shared by its registry (a host's
// `settings:` block in registries.yaml), its secret store (berth.yaml or
// --setting KEY=VALUE) and its commands (the registry entry of the host they
// name, then their flags). docs/gcp-artifact.md lists every key.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_GCP_SETTINGS_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_GCP_SETTINGS_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::gcp {

inline constexpr char kCloudPlatformScope[] = "https://www.googleapis.com/auth/cloud-platform";
inline constexpr char kDefaultArtifactRegistryUrl[] = "https://artifactregistry.googleapis.com";
inline constexpr char kDefaultSecretManagerUrl[] = "https://secretmanager.googleapis.com";

// When the metadata server may be asked for a token. kAuto: only where one is
// known to exist (GCE_METADATA_HOST is set, or the machine says it is a Google
// Compute Engine VM), so a laptop never waits on a link-local address.
enum class MetadataMode { kAuto, kAlways, kNever };

struct GcpSettings {
  std::string key_file;                          // A service-account key (JSON); "" = none.
  std::string token_uri;                         // Overrides the key file's token_uri; "" = the key's.
  std::vector<std::string> scopes = {kCloudPlatformScope};
  std::string artifactregistry_url = kDefaultArtifactRegistryUrl;
  std::string secretmanager_url = kDefaultSecretManagerUrl;
  MetadataMode metadata = MetadataMode::kAuto;
  bool gcloud = true;                            // Ask gcloud (or docker-credential-gcloud) when on PATH.
  std::string location;                          // For hosts that are not LOCATION-docker.pkg.dev.
  // Secret store.
  std::string project;                           // Project id or number.
  std::string prefix = "{environment}--";        // Secret id = prefix + name; {environment} is replaced.
  std::vector<std::string> replication_locations;  // userManaged replicas; empty = automatic.

  // Keys are kebab-case; values may be strings ("true", "a,b") as
  // --setting gives them. Throws Error(kInvalidInput) naming `where` and the key.
  static GcpSettings Parse(const nlohmann::json& settings, std::string_view where);
};

// https URLs, or http on a loopback host (tests): a bearer token or a signed
// assertion never travels in clear text elsewhere. Throws Error(kInvalidInput).
void CheckApiUrl(const std::string& url, std::string_view what);

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_GCP_SETTINGS_H_
