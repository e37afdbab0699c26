// Where `berth plugin install`, `lock` and `sync` get a published plugin
// from: a registry reference, read through the run's registry router, or a
// package at a URL pinned by its sha256.
#ifndef BERTH_HOST_COMMANDS_PLUGIN_SOURCE_H_
#define BERTH_HOST_COMMANDS_PLUGIN_SOURCE_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "berth/oci/image.h"
#include "berth/oci/reference.h"
#include "core/plugins/signature_candidates.h"

namespace berth::host {

struct Host;

// A source that is not a file here and reads as a registry reference
// (oci://HOST/REPO:TAG, HOST/REPO@sha256:...); nullopt for a path.
std::optional<oci::Reference> ArtifactReference(const std::string& source);

struct FetchedPlugin {
  std::filesystem::path dir;  // The plugin directory, inside the caller's staging.
  nlohmann::json artifact;    // {"reference", "digest", "variant", "platform"}
  // The variant's signature referrers, fetched into the staging directory
  // when asked for (after the package's own signature did not do).
  MoreSignatures referrer_signatures;
};

// A published plugin's index read and this machine's variant picked: only
// manifests have been fetched so far.
struct ArtifactVariant {
  std::shared_ptr<oci::RegistryClient> client;
  std::string repository;
  std::unique_ptr<oci::ImageSource> source;
  oci::Descriptor variant;
  std::string where;       // The reference, for messages.
  nlohmann::json artifact;  // {"reference", "digest", "variant", "platform"}
};
ArtifactVariant OpenArtifact(Host& host, const oci::Reference& reference);

// Fetches the variant's package into `staging` (private).
FetchedPlugin FetchArtifact(ArtifactVariant& artifact, const std::filesystem::path& staging);
// OpenArtifact, then FetchArtifact.
FetchedPlugin FetchArtifact(Host& host, const oci::Reference& reference, const std::filesystem::path& staging);

// An index entry's artifact, fetched as FetchArtifact does; refused unless
// it holds the plugin and version the index says (an index that names
// another plugin's artifact is wrong, or lying).
struct IndexEntry;
FetchedPlugin FetchIndexEntry(Host& host, const IndexEntry& entry, const std::filesystem::path& staging);

// An http(s) URL given as a plugin source.
bool IsPackageUrl(const std::string& source);

// Downloads a .tar.gz package into `staging`, streaming it through sha256,
// and returns the file once it matched `sha256` (hex, required: a URL's
// bytes are only as good as the checksum its publisher printed). Plain http
// only to this machine. Throws Error(kVerification) on a mismatch.
std::filesystem::path DownloadPackage(const std::string& url, const std::string& sha256, const std::filesystem::path& staging);

}  // namespace berth::host

#endif  // BERTH_HOST_COMMANDS_PLUGIN_SOURCE_H_
