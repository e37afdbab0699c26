#include "berth/oci/registry_service.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "berth/abi/buffer.h"
#include "berth/abi/codec.h"
#include "berth/error.h"
#include "berth/oci/client.h"
#include "berth/oci/copy.h"
#include "berth/oci/credentials.h"
#include "berth/oci/host_registry.h"
#include "berth/oci/settings.h"
#include "berth/oci/settings_json.h"
#include "berth/oci/upload_state.h"
#include "berth/secret.h"
#include "berth/util/base64.h"

namespace berth::oci {
namespace {

using nlohmann::json;

constexpr const char* kServices[] = {"oci.manifest.head", "oci.manifest.get", "oci.blob.get", "oci.blob.put",
                                     "oci.manifest.put",  "oci.referrers",    "oci.copy"};

// What the request names, for messages: the image, the repository, or the copy's ends.
std::string Subject(const json& request) {
  for (const char* field : {"image", "repository"}) {
    if (auto it = request.find(field); it != request.end() && it->is_string()) return it->get<std::string>();
  }
  if (request.contains("from") || request.contains("to")) {
    return request.value("from", std::string("?")) + " -> " + request.value("to", std::string("?"));
  }
  return "";
}

std::string Text(const json& request, const char* field, std::string_view service) {
  auto it = request.find(field);
  if (it == request.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw Error(ErrorCode::kInvalidInput, std::string(service) + ": the request has no \"" + field + "\"");
  }
  return it->get<std::string>();
}

std::string Decode(const json& request, const char* field, const std::string& prefix) {
  auto it = request.find(field);
  std::optional<std::string> bytes;
  if (it != request.end() && it->is_string()) bytes = Base64Decode(it->get<std::string>());
  if (!bytes) throw Error(ErrorCode::kInvalidInput, prefix + ": \"" + field + "\" is not base64");
  return std::move(*bytes);
}

json ManifestReply(const Manifest& manifest) {
  return {{"found", true},
          {"digest", manifest.digest.str()},
          {"media_type", manifest.media_type},
          {"size", manifest.bytes.size()},
          {"manifest_base64", Base64Encode(manifest.bytes)}};
}

json Head(std::string_view service, const json& request, const ClientFactory& clients) {
  Reference reference = Reference::Parse(Text(request, "image", service));
  auto found = clients(reference)->HeadManifest(std::string(service), reference.repository, reference.Identifier());
  if (!found) return {{"found", false}};
  return {{"found", true}, {"digest", found->digest.str()}, {"media_type", found->media_type}, {"size", found->size}};
}

json Get(std::string_view service, const json& request, const ClientFactory& clients) {
  Reference reference = Reference::Parse(Text(request, "image", service));
  auto client = clients(reference);
  if (request.value("if_exists", false)) {
    auto found = client->GetManifestIfExists(std::string(service), reference.repository, reference.Identifier());
    if (!found) return {{"found", false}};
    return ManifestReply(*found);
  }
  return ManifestReply(client->GetManifest(std::string(service), reference.repository, reference.Identifier()));
}

json Put(std::string_view service, const json& request, const ClientFactory& clients) {
  std::string image = Text(request, "image", service);
  Reference reference = Reference::Parse(image);
  std::string prefix = std::string(service) + " " + reference.Name();
  Manifest manifest = Manifest::Parse(Decode(request, "manifest_base64", prefix), request.value("media_type", ""), image);
  // A digest in the reference must be the bytes' own: the registry would store them under it.
  if (reference.digest && Digest::OfLike(*reference.digest, manifest.bytes) != *reference.digest) {
    throw Error(ErrorCode::kVerification, prefix + ": digest mismatch: the reference says " + reference.digest->str() +
                                              ", the manifest is " + Digest::OfLike(*reference.digest, manifest.bytes).str());
  }
  std::string identifier = !reference.tag.empty() ? reference.tag : reference.digest ? reference.digest->str() : manifest.digest.str();
  Digest digest = clients(reference)->PutManifest(std::string(service), reference.repository, identifier, manifest);
  return {{"digest", digest.str()}};
}

size_t MaxBytes(const json& request, const std::string& prefix) {
  auto it = request.find("max_bytes");
  if (it == request.end() || it->is_null()) return kSmallBlobDefaultBytes;
  if (!it->is_number_unsigned() || it->get<uint64_t>() > kSmallBlobMaxBytes) {
    throw Error(ErrorCode::kInvalidInput, prefix + ": max_bytes must be a number of bytes up to " +
                                              std::to_string(kSmallBlobMaxBytes) + " (64 MiB); this service is for small blobs");
  }
  return size_t(it->get<uint64_t>());
}

json GetBlob(std::string_view service, const json& request, const ClientFactory& clients) {
  Reference reference = Reference::ParseRepository(Text(request, "repository", service));
  Digest digest = Digest::Parse(Text(request, "digest", service));
  std::string prefix = std::string(service) + " " + reference.Name() + "@" + digest.str();
  size_t max_bytes = MaxBytes(request, prefix);
  auto client = clients(reference);
  Descriptor blob;
  blob.digest = digest;
  if (auto size = request.find("size"); size != request.end() && !size->is_null()) {
    if (!size->is_number_unsigned()) throw Error(ErrorCode::kInvalidInput, prefix + ": size must be a number of bytes");
    blob.size = size->get<int64_t>();
  } else {
    auto found = client->StatBlob(std::string(service), reference.repository, digest);
    if (!found) throw Error(ErrorCode::kNotFound, prefix + ": no such blob in " + reference.Name());
    blob.size = found->size;
  }
  if (uint64_t(blob.size) > max_bytes) {
    throw Error(ErrorCode::kInvalidInput, prefix + ": the blob is " + std::to_string(blob.size) + " bytes, more than max_bytes " +
                                              std::to_string(max_bytes));
  }
  std::string bytes = client->FetchSmallBlob(std::string(service), reference.repository, blob, max_bytes);
  return {{"blob_base64", Base64Encode(bytes)}};
}

json PutBlob(std::string_view service, const json& request, const ClientFactory& clients) {
  Reference reference = Reference::ParseRepository(Text(request, "repository", service));
  std::string prefix = std::string(service) + " " + reference.Name();
  std::string bytes = Decode(request, "blob_base64", prefix);
  if (bytes.size() > kSmallBlobMaxBytes) {
    throw Error(ErrorCode::kInvalidInput, prefix + ": a blob of " + std::to_string(bytes.size()) +
                                              " bytes is too large for this service (64 MiB at most; copy images with oci.copy)");
  }
  Descriptor blob;
  blob.digest = Digest::Of(bytes);
  blob.size = int64_t(bytes.size());
  StringBlobSource source(bytes);
  clients(reference)->PushBlob(std::string(service), reference.repository, blob, source);
  return {{"digest", blob.digest.str()}, {"size", blob.size}};
}

json Referrers(std::string_view service, const json& request, const ClientFactory& clients) {
  std::string image = Text(request, "image", service);
  Reference reference = Reference::Parse(image);
  if (!reference.digest) {
    throw Error(ErrorCode::kInvalidInput, std::string(service) + " " + image + ": names no digest (REGISTRY/PATH@DIGEST)");
  }
  json manifests = json::array();
  for (const Descriptor& descriptor : clients(reference)->Referrers(std::string(service), reference.repository, *reference.digest,
                                                                    request.value("artifact_type", ""))) {
    manifests.push_back(descriptor.ToJson());
  }
  return {{"manifests", manifests}};
}

json Copy(std::string_view service, const json& request, const ClientFactory& clients) {
  ImageLocation from = ImageLocation::Parse(Text(request, "from", service));
  ImageLocation to = ImageLocation::Parse(Text(request, "to", service));
  CopyOptions options;
  if (auto platform = request.find("platform"); platform != request.end() && platform->is_string()) {
    options.platform = Platform::Parse(platform->get<std::string>());
  }
  // As berth copy: the registry ends' concurrency, the least of them.
  for (const ImageLocation* end : {&from, &to}) {
    if (end->kind == ImageLocation::Kind::kRegistry) {
      options.concurrency = std::min(options.concurrency, std::max(1, clients(end->reference)->settings().concurrency));
    }
  }
  auto source = OpenImageSource(from, clients, std::string(service));
  auto sink = OpenImageSink(to, clients, std::string(service));
  CopyResult result = CopyImage(*source, *sink, options);
  return {{"digest", result.top.digest.str()}, {"media_type", result.top.media_type}, {"platforms", result.platforms}};
}

using Handler = json (*)(std::string_view, const json&, const ClientFactory&);

Handler HandlerOf(std::string_view service) {
  if (service == "oci.manifest.head") return &Head;
  if (service == "oci.manifest.get") return &Get;
  if (service == "oci.manifest.put") return &Put;
  if (service == "oci.blob.get") return &GetBlob;
  if (service == "oci.blob.put") return &PutBlob;
  if (service == "oci.referrers") return &Referrers;
  if (service == "oci.copy") return &Copy;
  return nullptr;
}

// The host's answer without a host: the user's own settings and credentials.
class DefaultRegistries {
 public:
  // Never destroyed: clients may still be in use by threads at exit, and
  // libcurl must not be torn down under them.
  static DefaultRegistries& Get() {
    static DefaultRegistries* registries = new DefaultRegistries;
    return *registries;
  }

  std::shared_ptr<RegistryClient> Client(const Reference& reference) {
    std::string host = NormalizeRegistryHost(reference.registry);
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = clients_.find(host); it != clients_.end()) return it->second;
    ClientOptions options;
    options.registry = host;
    options.settings = Config().For(host);
    options.other_hosts_tls = [this](const std::string& other) {
      std::lock_guard<std::mutex> lock(mutex_);
      return Config().For(other).tls;
    };
    options.credentials = [](const std::string& registry, const std::vector<std::string>&) {
      return CredentialStore().Lookup(registry);
    };
    options.upload_state = std::make_shared<const UploadStateStore>(UploadStateStore::DefaultDir());
    auto client = std::make_shared<RegistryClient>(std::move(options));
    clients_[host] = client;
    return client;
  }

  json Options(const json& request) {
    std::string reference = request.value("reference", "");
    std::string host;
    // A bare host ("127.0.0.1:5000", "ghcr.io") or a full reference, as the host reads it.
    if (request.value("host_only", false) ||
        (reference.find('/') == std::string::npos &&
         (reference.find('.') != std::string::npos || reference.find(':') != std::string::npos || reference == "localhost"))) {
      host = NormalizeRegistryHost(reference);
    } else {
      host = Reference::Parse(reference).registry;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    return {{"registry", host}, {"settings", SettingsToJson(Config().For(host))}};
  }

 private:
  // Loaded on first use, under mutex_.
  RegistryConfig& Config() {
    if (!config_) config_ = RegistryConfig::LoadDefault();
    return *config_;
  }

  std::mutex mutex_;
  std::optional<RegistryConfig> config_;
  std::map<std::string, std::shared_ptr<RegistryClient>> clients_;
};

}  // namespace

bool IsRegistryService(std::string_view service) {
  return std::find(std::begin(kServices), std::end(kServices), service) != std::end(kServices);
}

json ServeRegistryService(std::string_view service, const json& request, const ClientFactory& clients) {
  Handler handler = HandlerOf(service);
  if (handler == nullptr) throw Error(ErrorCode::kPlugin, "berth offers no service '" + std::string(service) + "'");
  if (!request.is_object()) throw Error(ErrorCode::kInvalidInput, std::string(service) + ": the request is not a JSON object");
  try {
    return handler(service, request, clients);
  } catch (const Error& e) {
    // The client's own errors name the service already ("oci.blob.get 127.0.0.1:5000/team/app: ...").
    std::string message = e.what();
    if (message.rfind(std::string(service) + " ", 0) == 0 || message.rfind(std::string(service) + ":", 0) == 0) throw;
    throw Error(e.code(), std::string(service) + " " + Subject(request) + ": " + message);
  }
}

json ServeRegistryServiceWithDefaults(std::string_view service, const json& request) {
  DefaultRegistries& registries = DefaultRegistries::Get();
  if (service == "registry.client-options") return registries.Options(request);
  if (service == "registry.credential") {
    Credential credential = CredentialStore().Lookup(NormalizeRegistryHost(request.value("registry", "")));
    return {{"credential", credential}};
  }
  return ServeRegistryService(service, request, [&registries](const Reference& reference) { return registries.Client(reference); });
}

namespace internal {

// libberth-sdk's HostRegistry (tests that link a plugin's code directly) is
// served here, in-process, by the same code.
json CallRegistryService(const char* service, const json& request) {
  return ServeRegistryServiceWithDefaults(service, request);
}

}  // namespace internal
}  // namespace berth::oci

extern "C" int32_t berth_registry_request(const char* service, const char* request, size_t request_size, berth_buffer* reply,
                                          berth_buffer* error) {
  std::string_view name = service != nullptr ? service : "";
  if (!berth::oci::IsRegistryService(name) && name != "registry.client-options" && name != "registry.credential") {
    berth::abi::Fill(error, "berth offers no service '" + std::string(name) + "'");
    return BERTH_STATUS_UNSUPPORTED;
  }
  return berth::abi::Answer(
      [&] {
        return berth::oci::ServeRegistryServiceWithDefaults(
            name, berth::abi::ParseJson(request, request_size, "request of " + std::string(name)));
      },
      reply, error);
}
