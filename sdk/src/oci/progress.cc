#include "berth/oci/progress.h"

#include <fmt/format.h>

#include "berth/oci/image.h"

namespace berth::oci {
namespace {

class ObservedReader : public BlobReader {
 public:
  ObservedReader(std::unique_ptr<BlobReader> inner, const Descriptor& blob, CopyObserver& observer)
      : inner_(std::move(inner)), blob_(blob), observer_(observer) {}
  size_t Read(char* buffer, size_t size) override {
    size_t n = inner_->Read(buffer, size);
    if (n > 0) observer_.BlobBytes(blob_, int64_t(n));
    return n;
  }

 private:
  std::unique_ptr<BlobReader> inner_;
  Descriptor blob_;
  CopyObserver& observer_;
};

class ObservedBlob : public BlobSource {
 public:
  ObservedBlob(std::unique_ptr<BlobSource> inner, Descriptor blob, CopyObserver& observer)
      : inner_(std::move(inner)), blob_(std::move(blob)), observer_(observer) {}
  std::unique_ptr<BlobReader> Open() override { return std::make_unique<ObservedReader>(inner_->Open(), blob_, observer_); }

 private:
  std::unique_ptr<BlobSource> inner_;
  Descriptor blob_;
  CopyObserver& observer_;
};

class ObservedSource : public ImageSource {
 public:
  ObservedSource(ImageSource& source, CopyObserver& observer) : source_(source), observer_(observer) {}
  std::string Describe() const override { return source_.Describe(); }
  Manifest TopManifest() override { return source_.TopManifest(); }
  Manifest ChildManifest(const Descriptor& descriptor) override { return source_.ChildManifest(descriptor); }
  std::unique_ptr<BlobSource> Blob(const Descriptor& descriptor) override {
    return std::make_unique<ObservedBlob>(source_.Blob(descriptor), descriptor, observer_);
  }
  std::string SmallBlob(const Descriptor& descriptor) override { return source_.SmallBlob(descriptor); }
  RegistryClient* client() override { return source_.client(); }
  std::string repository() const override { return source_.repository(); }

 private:
  ImageSource& source_;
  CopyObserver& observer_;
};

std::string Short(const Digest& digest) { return digest.algorithm() + ":" + digest.hex().substr(0, 12); }

}  // namespace

std::unique_ptr<ImageSource> ObserveSource(ImageSource& source, CopyObserver& observer) {
  return std::make_unique<ObservedSource>(source, observer);
}

std::string FormatBytes(int64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = double(bytes) / 1024;
  if (value < 1024) return fmt::format("{:.1f} KiB", value);
  value /= 1024;
  if (value < 1024) return fmt::format("{:.1f} MiB", value);
  return fmt::format("{:.2f} GiB", value / 1024);
}

std::string FormatRate(int64_t bytes, double seconds) {
  if (seconds <= 0) return "-";
  return FormatBytes(int64_t(double(bytes) / seconds)) + "/s";
}

std::string FormatBlobProgress(const Digest& digest, int64_t done, int64_t total, double seconds) {
  int percent = total > 0 ? int(done * 100 / total) : 100;
  // The first second is mostly buffers filling: its rate says nothing yet.
  std::string rate = seconds < 1.0 ? "-" : FormatRate(done, seconds);
  return fmt::format("{}  {} / {}  {}%  {}", Short(digest), FormatBytes(done), FormatBytes(total), percent, rate);
}

std::string FormatBlobDone(const std::string& destination, const Digest& digest, BlobOutcome outcome, int64_t size, double seconds) {
  std::string line = destination + ": " + Short(digest);
  switch (outcome) {
    case BlobOutcome::kExisted:
      return line + " already there";
    case BlobOutcome::kMounted:
      return line + " mounted";
    case BlobOutcome::kUploaded:
      break;
  }
  return line + fmt::format(" copied, {} in {:.1f} s ({})", FormatBytes(size), seconds, FormatRate(size, seconds));
}

}  // namespace berth::oci
