// One image layer made from a directory so the same files always give the
// same bytes: entries sorted, mtimes fixed, owners root, modes normalised,
// gzip without a timestamp or file name in its header.
#ifndef BERTH_PLUGINS_BUILDERS_REPRODUCIBLE_LAYER_H_
#define BERTH_PLUGINS_BUILDERS_REPRODUCIBLE_LAYER_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "berth/util/digest.h"
#include "context_files.h"

namespace berth::builders {

struct LayerOptions {
  // Where the context's files land in the image ("/app"; "/" for the root).
  std::string destination = "/";
  // Every entry's mtime (SOURCE_DATE_EPOCH, else 0).
  int64_t mtime = 0;
};

struct LayerBlob {
  std::filesystem::path path;  // The gzipped tar.
  Digest digest = Digest::Of("");     // Of the gzip.
  Digest diff_id = Digest::Of("");    // Of the uncompressed tar.
  int64_t size = 0;
  int entries = 0;
};

// Writes `output` (gzip of a tar of `entries`, in their order: what
// SelectContextFiles chose). Regular files, directories and symlinks only;
// anything else is refused with Error(kInvalidInput) naming it.
LayerBlob BuildLayer(const std::vector<ContextEntry>& entries, const std::filesystem::path& output, const LayerOptions& options);

}  // namespace berth::builders

#endif  // BERTH_PLUGINS_BUILDERS_REPRODUCIBLE_LAYER_H_
