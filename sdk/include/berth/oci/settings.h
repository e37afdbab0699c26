// Per-registry settings: plain HTTP, TLS verification, CA and client
// certificates, upload shape, concurrency, retries, and which plugin serves
// the host. Read from the user's registries.yaml (docs/registry.md) and
// overridden by command flags, always for a named registry only.
#ifndef BERTH_OCI_SETTINGS_H_
#define BERTH_OCI_SETTINGS_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "berth/http/client.h"
#include "berth/http/retry.h"

namespace berth::oci {

struct RegistrySettings {
  bool plain_http = false;       // http:// instead of https://.
  http::TlsSettings tls;
  int64_t chunk_size = 0;        // 0: monolithic uploads; else PATCH chunks of this size (at least the registry's minimum).
  int concurrency = 4;           // Blobs transferred at once.
  http::RetryPolicy retry;
  std::string plugin;            // Serve this host with this plugin's registry ("" = by the plugins' claims).
  nlohmann::json plugin_settings = nlohmann::json::object();
};

// Glob of host names: '*' matches any run of characters but '.', so
// "*-docker.pkg.dev" matches "europe-docker.pkg.dev" and nothing deeper.
bool HostMatches(std::string_view pattern, std::string_view host);

class RegistryConfig {
 public:
  // $BERTH_REGISTRIES_CONFIG, else $XDG_CONFIG_HOME/berth/registries.yaml
  // (~/.config/berth/registries.yaml); an absent file means defaults.
  static std::filesystem::path DefaultPath();
  static RegistryConfig LoadDefault();
  // Throws Error(kInvalidInput) naming the file and key on a bad entry.
  static RegistryConfig Load(const std::filesystem::path& path);

  // Exact host entries win over patterns; flags win over the file.
  RegistrySettings For(const std::string& host) const;

  void SetPlainHttp(const std::string& host);
  void SetInsecure(const std::string& host);
  void SetCaFile(const std::string& host, const std::string& file);
  void SetClientCert(const std::string& host, const std::string& cert, const std::string& key);
  void SetConcurrency(int jobs) { concurrency_override_ = jobs; }

 private:
  RegistrySettings& Entry(const std::string& host);
  std::map<std::string, RegistrySettings> entries_;  // Keyed by host or host pattern.
  int concurrency_override_ = 0;
};

}  // namespace berth::oci

#endif  // BERTH_OCI_SETTINGS_H_
