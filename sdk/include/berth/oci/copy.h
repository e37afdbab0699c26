// Copies an image between any source and sink: every platform of an index
// (or the one asked for), blobs in parallel up to a bound, each blob skipped
// when present, mounted when source and sink share a registry, else streamed.
// Manifests keep their exact bytes, so digests are the same on both sides.
#ifndef BERTH_OCI_COPY_H_
#define BERTH_OCI_COPY_H_

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "berth/oci/image.h"

namespace berth::oci {

class CopyObserver;  // berth/oci/progress.h

struct CopyOptions {
  std::optional<Platform> platform;  // Only this platform of an index.
  int concurrency = 4;
  CopyObserver* observer = nullptr;  // Progress; not owned.
};

struct CopyResult {
  Descriptor top;                    // What the sink stored.
  std::vector<std::string> platforms;
  int manifests = 0;
  int blobs_uploaded = 0, blobs_mounted = 0, blobs_skipped = 0;
  int64_t bytes_uploaded = 0;
  nlohmann::json ToJson() const;
};

// Picks the manifest for `platform` from an index; Error(kNotFound) listing
// the platforms it has otherwise.
Descriptor SelectPlatform(const Manifest& index, const Platform& platform, const std::string& where);

CopyResult CopyImage(ImageSource& source, ImageSink& sink, const CopyOptions& options);

// What a copy moves: the manifest to store under the destination's name, the
// manifests an index lists (stored children first), and the unique blobs
// (configs first; foreign layers left out). `accepts_index` false picks one
// platform (options.platform, else this machine's) from an index.
struct CopyPlan {
  Manifest top;
  std::vector<Manifest> children;
  std::vector<std::pair<Descriptor, bool>> blobs;  // Blob, is a config.
  std::vector<std::string> platforms;
};
CopyPlan PlanCopy(ImageSource& source, bool accepts_index, const CopyOptions& options);
// Stores a plan's child manifests (images before the indexes listing them) and
// then commits the top one.
void CommitPlan(ImageSink& sink, const CopyPlan& plan);
// What happened to each blob at one destination, counted from concurrent
// blob workers; Record also writes the -v line for the blob.
struct BlobTally {
  std::atomic<int> uploaded{0}, mounted{0}, skipped{0};
  std::atomic<int64_t> bytes{0};
  void Record(const std::string& where, const Descriptor& blob, BlobOutcome outcome);
  void CopyTo(CopyResult& result) const;
};

}  // namespace berth::oci

#endif  // BERTH_OCI_COPY_H_
