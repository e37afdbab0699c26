// Where images come from and go to: a registry repository, an OCI image
// layout directory, or a docker-archive tarball. The copy engine
// (berth/oci/copy.h) moves images between any two of them.
#ifndef BERTH_OCI_IMAGE_H_
#define BERTH_OCI_IMAGE_H_

#include <functional>
#include <memory>
#include <string>

#include "berth/oci/blob_stream.h"
#include "berth/oci/client.h"
#include "berth/oci/manifest.h"
#include "berth/oci/reference.h"

namespace berth::oci {

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  virtual std::string Describe() const = 0;
  // The manifest or index the location names.
  virtual Manifest TopManifest() = 0;
  // A manifest an index lists, verified against its descriptor.
  virtual Manifest ChildManifest(const Descriptor& descriptor) = 0;
  virtual std::unique_ptr<BlobSource> Blob(const Descriptor& descriptor) = 0;
  // A config, verified.
  virtual std::string SmallBlob(const Descriptor& descriptor) = 0;
  // Registry sources only: lets a sink on the same registry mount, and a
  // layout sink fetch straight into its file.
  virtual RegistryClient* client() { return nullptr; }
  virtual std::string repository() const { return ""; }
};

class ImageSink {
 public:
  virtual ~ImageSink() = default;
  virtual std::string Describe() const = 0;
  // A docker-archive holds one image, not an index.
  virtual bool AcceptsIndex() const { return true; }
  // Called from several threads at once. The blob is verified against its
  // digest before it becomes visible.
  virtual BlobOutcome PutBlob(const Descriptor& blob, ImageSource& source, bool is_config) = 0;
  virtual void PutChildManifest(const Manifest& manifest) = 0;
  // Stores the top manifest under the location's tag (or digest) and
  // finishes; returns the stored digest.
  virtual Digest Commit(const Manifest& top) = 0;
};

using ClientFactory = std::function<std::shared_ptr<RegistryClient>(const Reference& reference)>;

// `verb` names the operation in errors ("push", "pull", "copy").
std::unique_ptr<ImageSource> OpenImageSource(const ImageLocation& location, const ClientFactory& clients, const std::string& verb);
std::unique_ptr<ImageSink> OpenImageSink(const ImageLocation& location, const ClientFactory& clients, const std::string& verb);

std::unique_ptr<ImageSource> OpenRegistrySource(std::shared_ptr<RegistryClient> client, Reference reference, std::string verb);
std::unique_ptr<ImageSink> OpenRegistrySink(std::shared_ptr<RegistryClient> client, Reference reference, std::string verb);
std::unique_ptr<ImageSource> OpenOciLayoutSource(const ImageLocation& location);
std::unique_ptr<ImageSink> OpenOciLayoutSink(const ImageLocation& location, std::string verb);
std::unique_ptr<ImageSource> OpenDockerArchiveSource(const ImageLocation& location);
std::unique_ptr<ImageSink> OpenDockerArchiveSink(const ImageLocation& location, std::string verb);

// A blob of a registry repository as a BlobSource: each Open() starts a GET
// on a helper thread that feeds a bounded pipe, verified as it streams.
std::unique_ptr<BlobSource> RegistryBlobSource(RegistryClient& client, std::string verb, std::string repository, Descriptor blob);

}  // namespace berth::oci

#endif  // BERTH_OCI_IMAGE_H_
