// Where an interrupted chunked upload stood, so that the same push run again
// (after kill -9, a crash, a lost network) resumes it instead of starting
// over. One small JSON file per registry + repository + blob digest, 0600 in
// a 0700 directory ($XDG_STATE_HOME/berth/uploads, default
// ~/.local/state/berth/uploads), written atomically after every chunk the
// registry confirmed and removed when the blob is committed. The registry's
// own answer (GET on the upload URL: 204 with Range: 0-N) decides where to go
// on; the file only says which upload to ask about.
#ifndef BERTH_OCI_UPLOAD_STATE_H_
#define BERTH_OCI_UPLOAD_STATE_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "berth/util/digest.h"

namespace berth::oci {

struct UploadState {
  std::string registry;
  std::string repository;
  Digest digest = Digest::Of("");
  int64_t size = 0;       // The blob's.
  std::string location;   // The upload URL, as the registry last gave it.
  int64_t offset = 0;     // Bytes the registry confirmed.
  int64_t min_chunk = 0;  // OCI-Chunk-Min-Length, when the registry sent one.
};

class UploadStateStore {
 public:
  explicit UploadStateStore(std::filesystem::path dir);
  // $XDG_STATE_HOME/berth/uploads, else $HOME/.local/state/berth/uploads.
  static std::filesystem::path DefaultDir();

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path PathFor(const std::string& registry, const std::string& repository, const Digest& digest) const;
  // nullopt when there is none or it cannot be read (a damaged file is removed).
  std::optional<UploadState> Load(const std::string& registry, const std::string& repository, const Digest& digest) const;
  // Best effort: a state directory that cannot be written costs only the
  // ability to resume (logged), never the push.
  void Save(const UploadState& state) const;
  void Remove(const std::string& registry, const std::string& repository, const Digest& digest) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace berth::oci

#endif  // BERTH_OCI_UPLOAD_STATE_H_
