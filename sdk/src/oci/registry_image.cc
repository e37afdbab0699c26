// Registry repositories as image sources and sinks.
#include <thread>

#include "berth/error.h"
#include "berth/oci/image.h"

namespace berth::oci {
namespace {

class PipeReader : public BlobReader {
 public:
  PipeReader(RegistryClient& client, const std::string& verb, const std::string& repository, const Descriptor& blob)
      : remaining_(uint64_t(blob.size)) {
    thread_ = std::thread([this, &client, verb, repository, blob] {
      try {
        client.FetchBlob(verb, repository, blob, [this](const char* data, size_t size) { pipe_.Write(data, size); });
        pipe_.CloseWrite();
      } catch (...) {
        pipe_.Fail(std::current_exception());
      }
    });
  }
  ~PipeReader() override {
    pipe_.Fail(std::make_exception_ptr(Error(ErrorCode::kInterrupted, "transfer abandoned")));
    thread_.join();
  }
  // The download verifies the digest before it closes the pipe. The last
  // byte is held back until then, so an upload of known length cannot
  // complete with bytes that did not match.
  size_t Read(char* buffer, size_t size) override {
    if (remaining_ == 0 || size == 0) return pipe_.Read(buffer, size);
    if (remaining_ > 1) {
      size_t n = pipe_.Read(buffer, size_t(std::min<uint64_t>(size, remaining_ - 1)));
      if (n == 0) throw Error(ErrorCode::kVerification, "blob stream ended early");
      remaining_ -= n;
      return n;
    }
    size_t n = pipe_.Read(buffer, 1);
    char extra;
    if (n == 0 || pipe_.Read(&extra, 1) != 0) throw Error(ErrorCode::kVerification, "blob stream length differs from its descriptor");
    remaining_ = 0;
    return n;
  }

 private:
  uint64_t remaining_;
  BoundedPipe pipe_;
  std::thread thread_;
};

class RegistryBlob : public BlobSource {
 public:
  RegistryBlob(RegistryClient& client, std::string verb, std::string repository, Descriptor blob)
      : client_(client), verb_(std::move(verb)), repository_(std::move(repository)), blob_(std::move(blob)) {}
  std::unique_ptr<BlobReader> Open() override { return std::make_unique<PipeReader>(client_, verb_, repository_, blob_); }

 private:
  RegistryClient& client_;
  std::string verb_, repository_;
  Descriptor blob_;
};

class RegistrySource : public ImageSource {
 public:
  RegistrySource(std::shared_ptr<RegistryClient> client, Reference reference, std::string verb)
      : client_(std::move(client)), reference_(std::move(reference)), verb_(std::move(verb)) {}
  std::string Describe() const override { return reference_.str(); }
  Manifest TopManifest() override {
    Manifest manifest = client_->GetManifest(verb_, reference_.repository, reference_.Identifier());
    if (reference_.digest && !reference_.tag.empty()) {
      // tag@digest: the digest decides; the tag is only a label.
      if (manifest.digest != *reference_.digest) {
        throw Error(ErrorCode::kVerification, verb_ + " " + reference_.str() + ": manifest digest is " + manifest.digest.str());
      }
    }
    return manifest;
  }
  Manifest ChildManifest(const Descriptor& descriptor) override {
    return client_->GetManifest(verb_, reference_.repository, descriptor.digest.str());
  }
  std::unique_ptr<BlobSource> Blob(const Descriptor& descriptor) override {
    return RegistryBlobSource(*client_, verb_, reference_.repository, descriptor);
  }
  std::string SmallBlob(const Descriptor& descriptor) override {
    return client_->FetchSmallBlob(verb_, reference_.repository, descriptor);
  }
  RegistryClient* client() override { return client_.get(); }
  std::string repository() const override { return reference_.repository; }

 private:
  std::shared_ptr<RegistryClient> client_;
  Reference reference_;
  std::string verb_;
};

class RegistrySink : public ImageSink {
 public:
  RegistrySink(std::shared_ptr<RegistryClient> client, Reference reference, std::string verb)
      : client_(std::move(client)), reference_(std::move(reference)), verb_(std::move(verb)) {}
  std::string Describe() const override { return reference_.str(); }
  BlobOutcome PutBlob(const Descriptor& blob, ImageSource& source, bool) override {
    std::optional<std::string> mount_from;
    if (source.client() != nullptr && source.client()->registry() == client_->registry()) mount_from = source.repository();
    std::unique_ptr<BlobSource> data = source.Blob(blob);
    return client_->PushBlob(verb_, reference_.repository, blob, *data, mount_from);
  }
  void PutChildManifest(const Manifest& manifest) override {
    client_->PutManifest(verb_, reference_.repository, manifest.digest.str(), manifest);
  }
  Digest Commit(const Manifest& top) override {
    if (reference_.digest && *reference_.digest != top.digest) {
      throw Error(ErrorCode::kVerification, verb_ + " " + reference_.str() + ": the image's digest is " + top.digest.str() +
                                                ", not the one in the destination reference");
    }
    return client_->PutManifest(verb_, reference_.repository, reference_.tag.empty() ? top.digest.str() : reference_.tag, top);
  }

 private:
  std::shared_ptr<RegistryClient> client_;
  Reference reference_;
  std::string verb_;
};

}  // namespace

std::unique_ptr<BlobSource> RegistryBlobSource(RegistryClient& client, std::string verb, std::string repository, Descriptor blob) {
  return std::make_unique<RegistryBlob>(client, std::move(verb), std::move(repository), std::move(blob));
}

std::unique_ptr<ImageSource> OpenRegistrySource(std::shared_ptr<RegistryClient> client, Reference reference, std::string verb) {
  return std::make_unique<RegistrySource>(std::move(client), std::move(reference), std::move(verb));
}

std::unique_ptr<ImageSink> OpenRegistrySink(std::shared_ptr<RegistryClient> client, Reference reference, std::string verb) {
  return std::make_unique<RegistrySink>(std::move(client), std::move(reference), std::move(verb));
}

std::unique_ptr<ImageSource> OpenImageSource(const ImageLocation& location, const ClientFactory& clients, const std::string& verb) {
  switch (location.kind) {
    case ImageLocation::Kind::kOciLayout:
      return OpenOciLayoutSource(location);
    case ImageLocation::Kind::kDockerArchive:
      return OpenDockerArchiveSource(location);
    case ImageLocation::Kind::kRegistry:
      break;
  }
  return OpenRegistrySource(clients(location.reference), location.reference, verb);
}

std::unique_ptr<ImageSink> OpenImageSink(const ImageLocation& location, const ClientFactory& clients, const std::string& verb) {
  switch (location.kind) {
    case ImageLocation::Kind::kOciLayout:
      return OpenOciLayoutSink(location, verb);
    case ImageLocation::Kind::kDockerArchive:
      return OpenDockerArchiveSink(location, verb);
    case ImageLocation::Kind::kRegistry:
      break;
  }
  return OpenRegistrySink(clients(location.reference), location.reference, verb);
}

}  // namespace berth::oci
