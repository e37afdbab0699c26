// Where berth gets a Google access token, in this order (docs/gcp-artifact.md):
//   1. the key file in the settings (key-file / --key-file),
//   2. GOOGLE_APPLICATION_CREDENTIALS (a service-account key),
//      both by the JWT bearer grant at the key's token_uri;
//   3. `gcloud auth print-access-token`, when gcloud is on PATH,
//      else docker-credential-gcloud, when it is on PATH;
//   4. the metadata server, only where one exists: GCE_METADATA_HOST is set,
//      the machine is a Compute Engine VM (DMI product name), or the
//      settings say metadata: true.
// Tokens are cached in memory for the run, shared by every chain of the
// process, and refreshed before they expire. They are SecretValues:
// registered for redaction, never in argv, logs or messages.
#ifndef BERTH_PLUGINS_GCP_ARTIFACT_CREDENTIAL_CHAIN_H_
#define BERTH_PLUGINS_GCP_ARTIFACT_CREDENTIAL_CHAIN_H_

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "berth/http/retry.h"
#include "berth/secret.h"
#include "gcp_settings.h"

namespace berth::gcp {

struct AccessToken {
  SecretValue token;
  std::chrono::system_clock::time_point expires;
  std::string source;   // "service-account key /k.json", "gcloud", "metadata server 127.0.0.1:8080".
  std::string account;  // The service account's email where known.
};

// What the chain reads from the machine; tests replace it.
struct CredentialEnvironment {
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  std::function<std::optional<std::filesystem::path>(const std::string& program)> find_program;
  std::filesystem::path dmi_product_name = "/sys/class/dmi/id/product_name";
  static CredentialEnvironment Process();
};

// Tokens by source; the process shares one (SharedTokenCache) so the registry,
// the secret store and commands of one run mint once.
class TokenCache {
 public:
  struct Entry {
    AccessToken token;
    std::chrono::seconds lifetime{0};
  };
  std::mutex& mutex() { return mutex_; }
  std::map<std::string, Entry>& entries() { return entries_; }
  // Sources that may be skipped (gcloud) and failed this run, with why: not run again.
  std::map<std::string, std::string>& skipped() { return skipped_; }

 private:
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> skipped_;
};
std::shared_ptr<TokenCache> SharedTokenCache();

class CredentialChain {
 public:
  CredentialChain(GcpSettings settings, CredentialEnvironment environment = CredentialEnvironment::Process(),
                  std::shared_ptr<TokenCache> cache = SharedTokenCache());

  // A token from the first source that exists; nullopt when none does.
  // Throws Error(kAuth) when a configured source fails (a bad key, a token
  // endpoint refusing the assertion, an unreachable metadata server).
  // `registry_host` is what docker-credential-gcloud is asked about.
  std::optional<AccessToken> Find(const std::string& registry_host = "");
  // Like Find, but no source is an Error(kAuth) saying what to set up.
  AccessToken Get(const std::string& registry_host = "");
  // Forgets a token a server refused (401), so the next Get fetches anew.
  void Invalidate(const AccessToken& token);

  const GcpSettings& settings() const { return settings_; }
  void set_retry_policy(const http::RetryPolicy& policy) { retry_ = policy; }

 private:
  struct Candidate {
    std::string cache_key;
    std::string name;
    bool may_fall_through;  // gcloud not logged in: try the next source.
    std::function<AccessToken()> fetch;
  };
  std::vector<Candidate> Candidates(const std::string& registry_host);
  AccessToken FromKeyFile(const std::string& path);
  AccessToken FromGcloud(const std::filesystem::path& gcloud);
  AccessToken FromCredentialHelper(const std::filesystem::path& helper, const std::string& registry_host);
  AccessToken FromMetadata(const std::string& host);

  GcpSettings settings_;
  CredentialEnvironment environment_;
  std::shared_ptr<TokenCache> cache_;
  http::RetryPolicy retry_;
};

// The metadata server's host when the chain may ask it (GCE_METADATA_HOST,
// else metadata.google.internal on a Compute Engine VM or with metadata:
// true); nullopt otherwise.
std::optional<std::string> MetadataHost(const GcpSettings& settings, const CredentialEnvironment& environment);

// The message for "no source": what the user can set up.
std::string NoCredentialsHint();

}  // namespace berth::gcp

#endif  // BERTH_PLUGINS_GCP_ARTIFACT_CREDENTIAL_CHAIN_H_
