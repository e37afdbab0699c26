// The plugin's side of the "oci.*" host services: requests as JSON, replies
// back into the SDK's value types. The host verifies digests; this side checks
// them again because it is cheap and a reply is only as good as its bytes.
// In the plugin runtime and in libberth-sdk alike (see host_registry.h).
#include "berth/oci/host_registry.h"

#include "berth/abi/codec.h"
#include "berth/error.h"
#include "berth/oci/reference.h"
#include "berth/util/base64.h"

namespace berth::oci {
namespace {

std::string Decoded(const nlohmann::json& reply, const char* field, const char* service, const std::string& what) {
  auto it = reply.find(field);
  std::optional<std::string> bytes;
  if (it != reply.end() && it->is_string()) bytes = Base64Decode(it->get<std::string>());
  if (!bytes) throw Error(ErrorCode::kPlugin, std::string(service) + " " + what + ": the host's reply has no valid " + field);
  return std::move(*bytes);
}

void CheckDigest(const char* service, const std::string& what, const Digest& expected, std::string_view bytes) {
  Digest actual = Digest::OfLike(expected, bytes);
  if (actual != expected) {
    throw Error(ErrorCode::kVerification,
                std::string(service) + " " + what + ": digest mismatch: asked for " + expected.str() + ", got " + actual.str());
  }
}

Manifest ManifestOf(const nlohmann::json& reply, const std::string& image) {
  constexpr char kService[] = "oci.manifest.get";
  std::string bytes = Decoded(reply, "manifest_base64", kService, image);
  Manifest manifest = Manifest::Parse(std::move(bytes), reply.value("media_type", ""), image);
  Reference reference = Reference::Parse(image);
  if (reference.digest) CheckDigest(kService, image, *reference.digest, manifest.bytes);
  std::string said = reply.value("digest", "");
  if (Digest::IsValid(said)) CheckDigest(kService, image, Digest::Parse(said), manifest.bytes);
  return manifest;
}

}  // namespace

std::optional<Descriptor> HostRegistry::Head(const std::string& image) {
  nlohmann::json reply = internal::CallRegistryService("oci.manifest.head", {{"image", image}});
  if (!reply.value("found", false)) return std::nullopt;
  Descriptor descriptor;
  descriptor.digest = Digest::Parse(reply.value("digest", ""));
  descriptor.media_type = reply.value("media_type", "");
  descriptor.size = reply.value("size", int64_t(0));
  return descriptor;
}

Manifest HostRegistry::GetManifest(const std::string& image) {
  return ManifestOf(internal::CallRegistryService("oci.manifest.get", {{"image", image}}), image);
}

std::optional<Manifest> HostRegistry::GetManifestIfExists(const std::string& image) {
  nlohmann::json reply = internal::CallRegistryService("oci.manifest.get", {{"image", image}, {"if_exists", true}});
  if (!reply.value("found", false)) return std::nullopt;
  return ManifestOf(reply, image);
}

Digest HostRegistry::PutManifest(const std::string& image, const Manifest& manifest) {
  nlohmann::json reply = internal::CallRegistryService(
      "oci.manifest.put",
      {{"image", image}, {"media_type", manifest.media_type}, {"manifest_base64", Base64Encode(manifest.bytes)}});
  return Digest::Parse(reply.value("digest", ""));
}

std::string HostRegistry::GetSmallBlob(const std::string& repository, const Digest& digest, std::optional<int64_t> size,
                                       size_t max_bytes) {
  nlohmann::json request = {{"repository", repository}, {"digest", digest.str()}, {"max_bytes", max_bytes}};
  if (size) request["size"] = *size;
  nlohmann::json reply = internal::CallRegistryService("oci.blob.get", request);
  std::string what = repository + "@" + digest.str();
  std::string bytes = Decoded(reply, "blob_base64", "oci.blob.get", what);
  CheckDigest("oci.blob.get", what, digest, bytes);
  if (bytes.size() > max_bytes) throw Error(ErrorCode::kFailure, "oci.blob.get " + what + ": the host sent more than max_bytes");
  return bytes;
}

Descriptor HostRegistry::PutBlob(const std::string& repository, std::string_view data) {
  nlohmann::json reply =
      internal::CallRegistryService("oci.blob.put", {{"repository", repository}, {"blob_base64", Base64Encode(data)}});
  Descriptor descriptor;
  descriptor.media_type = "application/octet-stream";
  descriptor.digest = Digest::Parse(reply.value("digest", ""));
  descriptor.size = reply.value("size", int64_t(data.size()));
  return descriptor;
}

std::vector<Descriptor> HostRegistry::Referrers(const std::string& repository, const Digest& subject,
                                                const std::string& artifact_type) {
  nlohmann::json request = {{"image", repository + "@" + subject.str()}};
  if (!artifact_type.empty()) request["artifact_type"] = artifact_type;
  nlohmann::json reply = internal::CallRegistryService("oci.referrers", request);
  std::vector<Descriptor> found;
  for (const auto& entry : reply.value("manifests", nlohmann::json::array())) {
    found.push_back(Descriptor::FromJson(entry, "oci.referrers " + repository + "@" + subject.str()));
  }
  return found;
}

Digest HostRegistry::Copy(const std::string& from, const std::string& to, const std::optional<std::string>& platform) {
  nlohmann::json request = {{"from", from}, {"to", to}};
  if (platform) request["platform"] = *platform;
  return Digest::Parse(internal::CallRegistryService("oci.copy", request).value("digest", ""));
}

HostRegistryOptions HostRegistry::Options(const std::string& host) {
  nlohmann::json reply = internal::CallRegistryService("registry.client-options", {{"reference", host}, {"host_only", true}});
  HostRegistryOptions options;
  options.registry = reply.value("registry", host);
  options.settings = reply.value("settings", nlohmann::json::object());
  if (!options.settings.is_object()) options.settings = nlohmann::json::object();
  options.plugin = options.settings.value("plugin", "");
  options.plugin_settings = options.settings.value("plugin_settings", nlohmann::json::object());
  if (options.plugin_settings.is_null()) options.plugin_settings = nlohmann::json::object();
  return options;
}

Credential HostRegistry::CredentialFor(const std::string& host, const std::vector<std::string>& scopes) {
  nlohmann::json reply = internal::CallRegistryService("registry.credential", {{"registry", host}, {"scopes", scopes}});
  auto it = reply.find("credential");
  if (it == reply.end() || !it->is_object()) return Credential{};
  return it->get<Credential>();
}

}  // namespace berth::oci
