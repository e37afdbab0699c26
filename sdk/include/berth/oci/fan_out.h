// Copies one image to several destinations in one run (berth push/copy with
// several destinations, berth release to every registry of berth.yaml).
//
// Each blob is read from the source once and streamed to every destination
// that needs it, through a bounded pipe per destination (so memory does not
// grow with layer size, and the slowest destination sets the pace). Per
// destination the blob is still skipped when present and mounted when the
// source is a repository of the same registry. A destination that fails is
// reported with its error and dropped from the rest of the copy; the others
// go on. Each destination gets its manifests only after every one of its
// blobs is there, so a failed destination never names missing blobs.
//
// A destination that has to start an upload over (a failed monolithic PUT)
// reads the blob again for itself: that is the only second read.
#ifndef BERTH_OCI_FAN_OUT_H_
#define BERTH_OCI_FAN_OUT_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "berth/error.h"
#include "berth/oci/copy.h"
#include "berth/oci/image.h"

namespace berth::oci {

struct DestinationResult {
  std::string destination;  // The sink's Describe().
  bool ok = false;
  CopyResult copy;          // Counts so far when it failed.
  ErrorCode code = ErrorCode::kOk;
  std::string error;        // One line, empty when ok.
  // {"destination", "status": "ok"|"failed", "digest", "blobs", "bytesUploaded", ["error", "exitCode"]}
  nlohmann::json ToJson() const;
  // The error as one line that names the destination: the message as is
  // when it names it already (the registry client's do), else prefixed.
  std::string ErrorLine() const;
};

struct FanOutResult {
  Descriptor top;
  std::vector<std::string> platforms;
  int manifests = 0;
  std::vector<DestinationResult> destinations;  // In the order of the sinks.
  int blobs_read = 0;        // Blobs read from the source for the fan-out (once each at most).
  int64_t bytes_read = 0;
  int blobs_reread = 0;      // Extra reads by destinations that started an upload over.
  bool ok() const;
  // kOk; the failed destinations' code when they agree; else kFailure.
  ErrorCode exit_code() const;
  nlohmann::json ToJson() const;
};

// Never throws for a destination's failure (see DestinationResult); throws
// only when the source cannot be read at all (its manifests), or for an
// index going to sinks that disagree on taking one without options.platform.
FanOutResult CopyImageToMany(ImageSource& source, const std::vector<ImageSink*>& sinks, const CopyOptions& options);

}  // namespace berth::oci

#endif  // BERTH_OCI_FAN_OUT_H_
