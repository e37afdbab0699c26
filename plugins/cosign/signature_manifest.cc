#include "signature_manifest.h"

#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/oci/attachment_tags.h"
#include "berth/util/base64.h"
#include "keys.h"
#include "simple_signing.h"

namespace berth::cosign {
namespace {

constexpr std::string_view kZeroTime = "0001-01-01T00:00:00Z";
constexpr std::string_view kDockerManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";

std::string AnnotationsJson(const std::map<std::string, std::string>& annotations) {
  std::string out = "{";
  for (const auto& [key, value] : annotations) {
    if (out.size() > 1) out += ",";
    out += GoJsonQuote(key) + ":" + GoJsonQuote(value);
  }
  return out + "}";
}

std::string DescriptorJson(std::string_view media_type, uint64_t size, const std::string& digest,
                           const std::map<std::string, std::string>& annotations) {
  std::string out = R"({"mediaType":)" + GoJsonQuote(media_type) + R"(,"size":)" + std::to_string(size) +
                    R"(,"digest":)" + GoJsonQuote(digest);
  if (!annotations.empty()) out += R"(,"annotations":)" + AnnotationsJson(annotations);
  return out + "}";
}

Error Invalid(const std::string& source, const std::string& what) {
  return Error(ErrorCode::kInvalidInput, source + ": not a cosign signature manifest: " + what);
}

}  // namespace

std::string SignatureTag(const Digest& image_digest) { return oci::AttachmentTag(image_digest, ".sig"); }

std::optional<std::string> SignatureLayer::SignatureBase64() const {
  auto it = annotations.find(std::string(kSignatureAnnotation));
  if (it == annotations.end()) return std::nullopt;
  return it->second;
}

SignatureManifest SignatureManifest::Parse(std::string_view manifest, const std::string& source, std::string_view config) {
  nlohmann::json json = nlohmann::json::parse(manifest, nullptr, false);
  if (json.is_discarded() || !json.is_object()) throw Invalid(source, "not JSON");
  auto schema = json.find("schemaVersion");
  if (schema == json.end() || !schema->is_number_integer() || schema->get<int64_t>() != 2) throw Invalid(source, "schemaVersion is not 2");
  auto media = json.find("mediaType");
  if (media != json.end() && !media->is_string()) throw Invalid(source, "mediaType is not a string");
  std::string media_type = media == json.end() ? std::string(kOciManifestMediaType) : media->get<std::string>();
  if (media_type != kOciManifestMediaType && media_type != kDockerManifestMediaType) {
    throw Invalid(source, "media type " + media_type + " is not an image manifest");
  }
  auto layers = json.find("layers");
  if (layers == json.end() || !layers->is_array()) throw Invalid(source, "no layers");
  SignatureManifest result;
  for (const auto& entry : *layers) {
    if (!entry.is_object() || !entry.value("digest", nlohmann::json()).is_string() ||
        !entry.value("size", nlohmann::json()).is_number_unsigned() || !entry.value("mediaType", nlohmann::json()).is_string()) {
      throw Invalid(source, "a layer lacks mediaType, size or digest");
    }
    SignatureLayer layer;
    layer.media_type = entry["mediaType"].get<std::string>();
    layer.size = entry["size"].get<uint64_t>();
    layer.digest = entry["digest"].get<std::string>();
    if (!Digest::IsValid(layer.digest)) throw Invalid(source, "layer digest '" + layer.digest + "' is not a digest");
    if (entry.contains("annotations")) {
      if (!entry["annotations"].is_object()) throw Invalid(source, "layer annotations are not an object");
      for (const auto& [key, value] : entry["annotations"].items()) {
        if (!value.is_string()) throw Invalid(source, "layer annotation " + key + " is not a string");
        layer.annotations[key] = value.get<std::string>();
      }
    }
    result.layers_.push_back(std::move(layer));
  }
  // Keep what the previous writer recorded; a config we cannot read is
  // rebuilt from the layers, which is all a verifier needs.
  auto parsed = nlohmann::ordered_json::parse(config, nullptr, false);
  if (!config.empty() && !parsed.is_discarded() && parsed.is_object()) {
    if (parsed.contains("created") && parsed["created"].is_string()) result.created_ = parsed["created"].get<std::string>();
    if (parsed.contains("history") && parsed["history"].is_array()) {
      for (const auto& item : parsed["history"]) {
        if (result.history_.size() < result.layers_.size()) result.history_.push_back(item.dump());
      }
    }
  }
  return result;
}

std::string SignatureManifest::ConfigBlob() const {
  // Field order of go-containerregistry's v1.ConfigFile with empty fields
  // omitted, as cosign's pushes show.
  std::string history = "[";
  std::string diff_ids = "[";
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (i > 0) history += ",", diff_ids += ",";
    history += i < history_.size() ? history_[i] : R"({"created":")" + std::string(kZeroTime) + R"("})";
    // The payload is stored uncompressed, so its diff id is its digest.
    diff_ids += GoJsonQuote(layers_[i].digest);
  }
  history += "]";
  diff_ids += "]";
  return R"({"architecture":"","created":)" + GoJsonQuote(created_) + R"(,"history":)" + history +
         R"(,"os":"","rootfs":{"type":"layers","diff_ids":)" + diff_ids + R"(},"config":{}})";
}

std::string SignatureManifest::ManifestBytes() const {
  std::string config = ConfigBlob();
  std::string out = R"({"schemaVersion":2,"mediaType":)" + GoJsonQuote(kOciManifestMediaType) + R"(,"config":)" +
                    DescriptorJson(kOciConfigMediaType, config.size(), Digest::Of(config).str(), {}) + R"(,"layers":[)";
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (i > 0) out += ",";
    out += DescriptorJson(layers_[i].media_type, layers_[i].size, layers_[i].digest, layers_[i].annotations);
  }
  return out + "]}";
}

SignatureLayer MakeSignatureLayer(std::string_view payload, std::string_view signature_der, const std::string& key_id) {
  SignatureLayer layer;
  layer.size = payload.size();
  layer.digest = Digest::Of(payload).str();
  layer.annotations[std::string(kSignatureAnnotation)] = Base64Encode(signature_der);
  if (!key_id.empty()) layer.annotations[std::string(kKeyIdAnnotation)] = key_id;
  return layer;
}

std::optional<size_t> FindDuplicate(const SignatureManifest& manifest, const SignatureLayer& layer, std::string_view payload,
                                    const PublicKey& key) {
  auto ignored = [](const std::string& name) { return name == kSignatureAnnotation || name == kKeyIdAnnotation; };
  for (size_t i = 0; i < manifest.layers().size(); ++i) {
    const SignatureLayer& existing = manifest.layers()[i];
    if (existing.digest != layer.digest || existing.media_type != layer.media_type) continue;
    bool same_annotations = true;
    for (const auto& [name, value] : layer.annotations) {
      if (ignored(name)) continue;
      auto it = existing.annotations.find(name);
      if (it == existing.annotations.end() || it->second != value) same_annotations = false;
    }
    if (!same_annotations) continue;
    auto signature = existing.SignatureBase64();
    if (!signature) continue;
    auto der = Base64Decode(*signature);
    // Same digest, so the stored payload is these very bytes.
    if (der && key.Verify(payload, *der)) return i;
  }
  return std::nullopt;
}

}  // namespace berth::cosign
