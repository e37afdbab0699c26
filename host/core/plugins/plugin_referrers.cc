#include "core/plugins/plugin_referrers.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/log.h"

namespace berth::host {
namespace fs = std::filesystem;
namespace {

// A berth-plugin.sig is a few hundred bytes; anything near this is not one.
constexpr size_t kMaxSignatureBytes = 64u << 10;
// Anyone who may push to the repository can add referrers: only so many are read.
constexpr size_t kMaxReferrers = 32;
constexpr char kEmptyJson[] = "{}";

oci::Descriptor BlobDescriptor(const std::string& media_type, const std::string& bytes) {
  oci::Descriptor descriptor;
  descriptor.media_type = media_type;
  descriptor.digest = Digest::Of(bytes);
  descriptor.size = int64_t(bytes.size());
  return descriptor;
}

}  // namespace

oci::Manifest SignatureReferrer(const oci::Descriptor& variant, const std::string& signature) {
  nlohmann::json parsed = nlohmann::json::parse(signature, nullptr, false);
  std::string signer = parsed.is_object() && parsed.contains("key") && parsed["key"].is_string() ? parsed["key"].get<std::string>() : "";
  oci::Descriptor config = BlobDescriptor(oci::media_type::kOciEmpty, kEmptyJson);
  oci::Descriptor layer = BlobDescriptor(kPluginSignatureLayerType, signature);
  layer.annotations["org.opencontainers.image.title"] = "berth-plugin.sig";
  oci::Descriptor subject;
  subject.media_type = variant.media_type;
  subject.digest = variant.digest;
  subject.size = variant.size;
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"mediaType", oci::media_type::kOciManifest},
                             {"artifactType", kPluginSignatureArtifactType},
                             {"config", config.ToJson()},
                             {"layers", nlohmann::json::array({layer.ToJson()})},
                             {"subject", subject.ToJson()}};
  if (!signer.empty()) manifest["annotations"] = {{kSignerAnnotation, signer}};
  return oci::Manifest::Parse(manifest.dump(), oci::media_type::kOciManifest, "the signature referrer of " + variant.digest.str());
}

StoredSignature PushSignatureReferrer(oci::RegistryClient& client, const std::string& verb, const std::string& repository,
                                      const oci::Descriptor& variant, const std::string& signature) {
  oci::Manifest referrer = SignatureReferrer(variant, signature);
  const std::string empty = kEmptyJson;
  oci::StringBlobSource config(empty), layer(signature);
  client.PushBlob(verb, repository, *referrer.config, config);
  client.PushBlob(verb, repository, referrer.layers.front(), layer);
  std::string tag = client.PutReferrer(verb, repository, referrer);
  log::Info("stored the signature of {}@{} as referrer {}{}", repository, variant.digest.str(), referrer.digest.str(),
            tag.empty() ? "" : " (listed under the tag " + tag + ")");
  return {referrer.digest, tag};
}

std::vector<SignatureCandidate> FetchSignatureReferrers(oci::RegistryClient& client, const std::string& verb, const std::string& repository,
                                                        const oci::Descriptor& variant, const fs::path& into) {
  std::vector<oci::Descriptor> listed = client.Referrers(verb, repository, variant.digest, kPluginSignatureArtifactType);
  if (listed.size() > kMaxReferrers) {
    log::Warn("{}@{} has {} signature referrers; only the first {} are read", repository, variant.digest.str(), listed.size(),
              kMaxReferrers);
    listed.resize(kMaxReferrers);
  }
  std::vector<SignatureCandidate> candidates;
  CreateDirectories(into, 0700);
  for (const oci::Descriptor& descriptor : listed) {
    try {
      oci::Manifest referrer = client.GetManifest(verb, repository, descriptor.digest.str());
      if (referrer.is_index || referrer.artifact_type != kPluginSignatureArtifactType || !referrer.subject ||
          referrer.subject->digest != variant.digest || referrer.layers.size() != 1 ||
          referrer.layers[0].media_type != kPluginSignatureLayerType) {
        log::Warn("{}@{}: not a berth plugin signature of {}; skipped", repository, descriptor.digest.str(), variant.digest.str());
        continue;
      }
      std::string signature = client.FetchSmallBlob(verb, repository, referrer.layers[0], kMaxSignatureBytes);
      fs::path file = into / (descriptor.digest.hex() + ".sig");
      WriteFileAtomic(file, signature, 0600);
      candidates.push_back({file, descriptor.digest.str()});
    } catch (const oci::TransientError&) {
      throw;  // The registry is unwell: say so rather than judge the package on what could be read.
    } catch (const Error& e) {
      log::Warn("signature referrer {}@{} skipped: {}", repository, descriptor.digest.str(), e.what());
    }
  }
  return candidates;
}

}  // namespace berth::host
