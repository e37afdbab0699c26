// The tar stream of a reproducible layer, written by libarchive as
// restricted pax: plain ustar headers, and a pax record only for what ustar
// cannot hold (a long name or link target). Every header carries the same
// mtime, owner 0:0 and no user or group name, so the bytes depend only on
// the names, modes and contents handed in. Bytes go to a sink as they are
// made: nothing is buffered beyond libarchive's header.
#ifndef BERTH_PLUGINS_BUILDERS_LAYER_TAR_H_
#define BERTH_PLUGINS_BUILDERS_LAYER_TAR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace berth::builders {

class LayerTar {
 public:
  using Sink = std::function<void(const void* data, size_t size)>;
  LayerTar(Sink sink, int64_t mtime);
  ~LayerTar();
  LayerTar(const LayerTar&) = delete;
  LayerTar& operator=(const LayerTar&) = delete;

  void Directory(const std::string& name);
  void Symlink(const std::string& name, const std::string& target);
  // A regular file whose `size` bytes follow through Data().
  void File(const std::string& name, uint32_t mode, uint64_t size);
  void Data(const void* data, size_t size);
  // The end-of-archive blocks.
  void Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::builders

#endif  // BERTH_PLUGINS_BUILDERS_LAYER_TAR_H_
