// Signatures stored beside a published plugin as OCI referrers, so that a
// signature can be added to an artifact after it was published (a platform
// team counter-signing a vendor's plugin without rebuilding it) and travels
// with it through `berth copy`.
//
// One referrer per signature: an OCI image manifest of artifactType
// kPluginSignatureArtifactType whose config is the OCI empty descriptor,
// whose one layer is a berth-plugin.sig file's bytes, and whose subject is
// the variant's image manifest (the signature covers that variant's
// berth-plugin.json, which is its config). The annotation kSignerAnnotation
// repeats the signing key's fingerprint for people and listings; it decides
// nothing, since the signature is verified like any other.
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_REFERRERS_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_REFERRERS_H_

#include <filesystem>
#include <string>
#include <vector>

#include "berth/oci/client.h"
#include "berth/oci/manifest.h"
#include "core/plugins/signature_candidates.h"

namespace berth::host {

inline constexpr char kPluginSignatureArtifactType[] = "application/vnd.berth.plugin.signature.v1";
inline constexpr char kPluginSignatureLayerType[] = "application/vnd.berth.plugin.signature.v1+json";
inline constexpr char kSignerAnnotation[] = "dev.berth.plugin.signer";

// The referrer manifest that stores `signature` (a berth-plugin.sig file's
// JSON) for the variant manifest `variant`. Deterministic: the same
// signature for the same variant is the same manifest, so storing it twice
// adds nothing.
oci::Manifest SignatureReferrer(const oci::Descriptor& variant, const std::string& signature);

struct StoredSignature {
  Digest referrer;
  std::string tag;  // The referrers fallback tag it was listed under; "" when the registry's referrers API indexed it.
};

// Pushes the empty config, the signature and the referrer manifest into
// `repository` (blobs the repository has are not sent again).
StoredSignature PushSignatureReferrer(oci::RegistryClient& client, const std::string& verb, const std::string& repository,
                                      const oci::Descriptor& variant, const std::string& signature);

// The variant's signature referrers, each fetched (manifest and layer
// verified against their digests) into a file under `into`, in the order
// the registry lists them. A referrer that is not one berth writes, is too
// large, or cannot be read is skipped with a warning: a candidate less can
// only make an install refuse, never accept.
std::vector<SignatureCandidate> FetchSignatureReferrers(oci::RegistryClient& client, const std::string& verb, const std::string& repository,
                                                        const oci::Descriptor& variant, const std::filesystem::path& into);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_REFERRERS_H_
