// Watching a copy: the bytes of each blob as they are read from the source,
// and each blob's outcome per destination. The host prints them on stderr
// (host/core/cli/progress_printer.h); the formatting lives here so that it is
// tested on its own.
#ifndef BERTH_OCI_PROGRESS_H_
#define BERTH_OCI_PROGRESS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "berth/oci/client.h"
#include "berth/oci/manifest.h"

namespace berth::oci {

class ImageSource;

// Called from several threads at once.
class CopyObserver {
 public:
  virtual ~CopyObserver() = default;
  // `bytes` more of `blob` were read from the source.
  virtual void BlobBytes(const Descriptor& blob, int64_t bytes) {}
  // `blob` is at `destination` (a sink's Describe()).
  virtual void BlobDone(const std::string& destination, const Descriptor& blob, BlobOutcome outcome) {}
};

// A view of `source` whose blob readers report to `observer`; everything
// else (manifests, client() for mounts) passes through.
std::unique_ptr<ImageSource> ObserveSource(ImageSource& source, CopyObserver& observer);

// "512 B", "1.5 KiB", "48.0 MiB", "1.20 GiB".
std::string FormatBytes(int64_t bytes);
// "8.1 MiB/s"; "-" when no time has passed.
std::string FormatRate(int64_t bytes, double seconds);
// One blob in flight, for a terminal:
// "sha256:ab12cd34ef56  12.0 MiB / 48.0 MiB  25%  8.1 MiB/s" (rate "-" in the
// first second).
std::string FormatBlobProgress(const Digest& digest, int64_t done, int64_t total, double seconds);
// One finished blob, a line of its own:
// "127.0.0.1:5000/team/app:1.0: sha256:ab12cd34ef56 copied, 48.0 MiB in 5.9 s (8.1 MiB/s)",
// "...: sha256:ab12cd34ef56 already there", "...: sha256:ab12cd34ef56 mounted".
std::string FormatBlobDone(const std::string& destination, const Digest& digest, BlobOutcome outcome, int64_t size, double seconds);

}  // namespace berth::oci

#endif  // BERTH_OCI_PROGRESS_H_
