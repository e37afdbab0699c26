// Where `berth plugin install`, `lock` and `sync` get a published plugin
// from: a registry reference, read through the run's registry router, or a
// package at a URL pinned by its sha256.
#ifndef BERTH_HOST_COMMANDS_PLUGIN_SOURCE_H_
#define BERTH_HOST_COMMANDS_PLUGIN_SOURCE_H_

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "berth/oci/reference.h"

namespace berth::host {

struct Host;

// A source that is not a file here and reads as a registry reference
// (oci://HOST/REPO:TAG, HOST/REPO@sha256:...); nullopt for a path.
std::optional<oci::Reference> ArtifactReference(const std::string& source);

struct FetchedPlugin {
  std::filesystem::path dir;  // The plugin directory, inside the caller's staging.
  nlohmann::json artifact;    // {"reference", "digest", "variant", "platform"}
};

// Fetches this machine's variant of the artifact into `staging` (private).
FetchedPlugin FetchArtifact(Host& host, const oci::Reference& reference, const std::filesystem::path& staging);

// An http(s) URL given as a plugin source.
bool IsPackageUrl(const std::string& source);

// Downloads a .tar.gz package into `staging`, streaming it through sha256,
// and returns the file once it matched `sha256` (hex, required: a URL's
// bytes are only as good as the checksum its publisher printed). Plain http
// only to this machine. Throws Error(kVerification) on a mismatch.
std::filesystem::path DownloadPackage(const std::string& url, const std::string& sha256, const std::filesystem::path& staging);

}  // namespace berth::host

#endif  // BERTH_HOST_COMMANDS_PLUGIN_SOURCE_H_
