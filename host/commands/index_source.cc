#include "commands/index_source.h"

#include "berth/http/client.h"
#include "berth/http/loopback.h"
#include "berth/http/url.h"
#include "berth/oci/copy.h"
#include "berth/oci/image.h"
#include "berth/oci/manifest.h"
#include "berth/util/fs.h"
#include "commands/plugin_source.h"
#include "core/host.h"
#include "core/plugins/layout_writer.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

constexpr size_t kMaxIndexBytes = size_t(8) << 20;

// 404 is "no such file" (a missing signature is not an error here).
std::optional<std::string> Get(const std::string& url) {
  if (url.rfind("http://", 0) == 0 && !http::IsLoopbackHost(http::UrlHost(url))) {
    throw Error(ErrorCode::kUsage, url + ": plugin indexes come over https (plain http only from this machine)");
  }
  http::Request request;
  request.url = url;
  request.follow_redirects = true;
  request.timeout = std::chrono::minutes(2);
  request.max_buffered_body = kMaxIndexBytes;
  http::Response response = http::Client().Send(request);
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) throw Error(ErrorCode::kFailure, "GET " + url + ": HTTP " + std::to_string(response.status));
  return response.body;
}

FetchedIndex FromUrl(const std::string& url) {
  FetchedIndex fetched;
  std::optional<std::string> document = Get(url);
  if (!document) throw Error(ErrorCode::kNotFound, "GET " + url + ": HTTP 404 (no plugin index there)");
  fetched.document = std::move(*document);
  fetched.signature_name = url + ".sig";
  fetched.signature = Get(fetched.signature_name);
  return fetched;
}

FetchedIndex FromFile(const fs::path& file) {
  FetchedIndex fetched;
  if (!fs::is_regular_file(file)) throw Error(ErrorCode::kNotFound, file.string() + ": no such file (a plugin index)");
  if (fs::file_size(file) > kMaxIndexBytes) throw Error(ErrorCode::kInvalidInput, file.string() + ": too large for a plugin index");
  fetched.document = ReadFile(file);
  fetched.signature_name = file.string() + ".sig";
  if (fs::exists(fetched.signature_name)) fetched.signature = ReadFile(fetched.signature_name);
  return fetched;
}

FetchedIndex FromRegistry(Host& host, const oci::Reference& reference) {
  auto source = oci::OpenRegistrySource(host.plugins->registries().Clients()(reference), reference, "plugin index");
  oci::Manifest manifest = source->TopManifest();
  if (manifest.is_index || manifest.artifact_type != kIndexArtifactType) {
    throw Error(ErrorCode::kInvalidInput, reference.str() + ": not a berth plugin index (want an artifact of type " +
                                              std::string(kIndexArtifactType) + ", as berth plugin index publish writes)");
  }
  FetchedIndex fetched;
  fetched.pinned_by_reference = reference.digest.has_value();
  fetched.signature_name = reference.str() + " (its " + kIndexSignatureType + " layer)";
  bool found = false;
  for (const oci::Descriptor& layer : manifest.layers) {
    if (layer.media_type == kIndexDocumentType && !found) {
      fetched.document = source->SmallBlob(layer);  // Verified against its digest.
      found = true;
    } else if (layer.media_type == kIndexSignatureType && !fetched.signature) {
      fetched.signature = source->SmallBlob(layer);
    }
  }
  if (!found) throw Error(ErrorCode::kInvalidInput, reference.str() + ": the artifact holds no " + std::string(kIndexDocumentType) + " layer");
  return fetched;
}

}  // namespace

std::string NormalizeIndexSource(const std::string& source) {
  if (IsPackageUrl(source) || ArtifactReference(source)) return source;
  return fs::absolute(source).lexically_normal().string();
}

FetchedIndex FetchIndexSource(Host& host, const std::string& source) {
  if (IsPackageUrl(source)) return FromUrl(source);
  if (std::optional<oci::Reference> reference = ArtifactReference(source)) return FromRegistry(host, *reference);
  return FromFile(source);
}

std::string PublishIndex(Host& host, const oci::Reference& reference, const std::string& document,
                         const std::optional<std::string>& signature) {
  TempDir work("berth-index-publish");
  fs::path layout = work.path() / "layout";
  StartLayout(layout);
  nlohmann::json layers = nlohmann::json::array({PutLayoutBlob(layout, kIndexDocumentType, document).ToJson()});
  if (signature) layers.push_back(PutLayoutBlob(layout, kIndexSignatureType, *signature).ToJson());
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"mediaType", oci::media_type::kOciManifest},
                             {"artifactType", kIndexArtifactType},
                             {"config", PutLayoutBlob(layout, oci::media_type::kOciEmpty, "{}").ToJson()},
                             {"layers", layers}};
  oci::Descriptor top = PutLayoutBlob(layout, oci::media_type::kOciManifest, manifest.dump());
  WriteLayoutTop(layout, top, "index");
  auto from = oci::OpenOciLayoutSource(oci::ImageLocation::Parse("oci:" + layout.string() + ":index"));
  auto sink = oci::OpenRegistrySink(host.plugins->registries().Clients()(reference), reference, "plugin index publish");
  oci::CopyResult copied = oci::CopyImage(*from, *sink, oci::CopyOptions{});
  if (copied.top.digest != top.digest) {
    throw Error(ErrorCode::kVerification, reference.str() + ": stored " + copied.top.digest.str() + ", not " + top.digest.str());
  }
  return top.digest.str();
}

}  // namespace berth::host
