#include "reproducible_layer.h"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include "berth/error.h"
#include "layer_tar.h"

namespace berth::builders {
namespace fs = std::filesystem;
namespace {

// Streams tar bytes through SHA-256 (the diff id) and zlib into the file,
// hashing the gzip bytes as they are written (the digest).
class GzipHashWriter {
 public:
  explicit GzipHashWriter(const fs::path& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "wb");
    if (!file_) throw Error(ErrorCode::kFailure, "cannot write " + path.string() + ": " + std::strerror(errno));
    std::memset(&stream_, 0, sizeof stream_);
    // windowBits 31: gzip wrapper; without deflateSetHeader zlib writes
    // mtime 0 and no name, which is what makes the bytes reproducible.
    if (deflateInit2(&stream_, Z_BEST_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw Error(ErrorCode::kFailure, "zlib deflateInit2 failed");
    }
  }
  ~GzipHashWriter() {
    deflateEnd(&stream_);
    if (file_) std::fclose(file_);
  }
  void Write(const void* data, size_t size) {
    tar_sha_.Update(data, size);
    stream_.next_in = static_cast<Bytef*>(const_cast<void*>(data));
    stream_.avail_in = static_cast<uInt>(size);
    Pump(Z_NO_FLUSH);
  }
  void Finish(LayerBlob& blob) {
    stream_.next_in = nullptr;
    stream_.avail_in = 0;
    Pump(Z_FINISH);
    if (std::fclose(file_) != 0) {
      file_ = nullptr;
      throw Error(ErrorCode::kFailure, "cannot write " + path_.string() + ": " + std::strerror(errno));
    }
    file_ = nullptr;
    blob.path = path_;
    blob.diff_id = Digest::OfSha256Hex(tar_sha_.FinishHex());
    blob.digest = Digest::OfSha256Hex(gz_sha_.FinishHex());
    blob.size = gz_bytes_;
  }

 private:
  void Pump(int flush) {
    char out[64 << 10];
    int result;
    do {
      stream_.next_out = reinterpret_cast<Bytef*>(out);
      stream_.avail_out = sizeof out;
      result = deflate(&stream_, flush);
      if (result == Z_STREAM_ERROR) throw Error(ErrorCode::kFailure, "zlib deflate failed");
      size_t produced = sizeof out - stream_.avail_out;
      if (produced && std::fwrite(out, 1, produced, file_) != produced) {
        throw Error(ErrorCode::kFailure, "cannot write " + path_.string() + ": " + std::strerror(errno));
      }
      gz_sha_.Update(out, produced);
      gz_bytes_ += static_cast<int64_t>(produced);
    } while (stream_.avail_out == 0 || (flush == Z_FINISH && result != Z_STREAM_END));
  }
  fs::path path_;
  FILE* file_ = nullptr;
  z_stream stream_;
  Sha256 tar_sha_, gz_sha_;
  int64_t gz_bytes_ = 0;
};

std::string CleanDestination(std::string destination) {
  while (!destination.empty() && destination.front() == '/') destination.erase(0, 1);
  while (!destination.empty() && destination.back() == '/') destination.pop_back();
  return destination;
}

}  // namespace

LayerBlob BuildLayer(const std::vector<ContextEntry>& entries, const fs::path& output, const LayerOptions& options) {
  GzipHashWriter writer(output);
  LayerTar tar([&writer](const void* data, size_t size) { writer.Write(data, size); }, options.mtime);
  LayerBlob blob;
  std::string destination = CleanDestination(options.destination);
  if (!destination.empty()) {
    // The destination's own directories, so the layer stands on any base.
    std::string partial;
    for (size_t start = 0; start <= destination.size();) {
      size_t slash = destination.find('/', start);
      if (slash == std::string::npos) slash = destination.size();
      partial = destination.substr(0, slash);
      tar.Directory(partial);
      ++blob.entries;
      start = slash + 1;
    }
  }
  std::string prefix = destination.empty() ? "" : destination + "/";
  for (const auto& [relative, path] : entries) {
    struct stat info;
    if (::lstat(path.c_str(), &info) != 0) throw Error(ErrorCode::kFailure, "cannot read " + path.string() + ": " + std::strerror(errno));
    std::string name = prefix + relative;
    if (S_ISDIR(info.st_mode)) {
      tar.Directory(name);
    } else if (S_ISLNK(info.st_mode)) {
      tar.Symlink(name, fs::read_symlink(path).string());
    } else if (S_ISREG(info.st_mode)) {
      // Only the executable bit survives: umasks and checkouts differ.
      uint32_t mode = (info.st_mode & 0111) ? 0755 : 0644;
      std::ifstream in(path, std::ios::binary);
      if (!in) throw Error(ErrorCode::kFailure, "cannot read " + path.string());
      uint64_t size = static_cast<uint64_t>(info.st_size);
      tar.File(name, mode, size);
      char buffer[64 << 10];
      uint64_t left = size;
      while (left > 0) {
        in.read(buffer, static_cast<std::streamsize>(std::min<uint64_t>(left, sizeof buffer)));
        std::streamsize got = in.gcount();
        if (got <= 0) throw Error(ErrorCode::kFailure, path.string() + " changed while it was being read");
        tar.Data(buffer, static_cast<size_t>(got));
        left -= static_cast<uint64_t>(got);
      }
    } else {
      throw Error(ErrorCode::kInvalidInput, "build context entry " + path.string() + " is not a file, directory or symlink");
    }
    ++blob.entries;
  }
  tar.Finish();
  writer.Finish(blob);
  return blob;
}

}  // namespace berth::builders
