// Signatures travel with images: cosign keeps an image's signatures,
// attestations and SBOMs under tags derived from its digest
// ("sha256-<hex>.sig", ".att", ".sbom"; cosign v3's bundles are referrers,
// on registries without the referrers API listed under "sha256-<hex>") in
// the same repository, so copying
// only the image would leave them behind. `berth copy` calls this after a
// registry-to-registry copy (unless --no-signatures).
#ifndef BERTH_HOST_CORE_REGISTRY_SIGNATURE_TAGS_H_
#define BERTH_HOST_CORE_REGISTRY_SIGNATURE_TAGS_H_

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "berth/oci/image.h"
#include "berth/oci/reference.h"

namespace berth::host {

// Copies the attachment tags of the image `digest` (and, for an index, of
// each manifest it lists) that exist in `from`'s repository to `to`'s,
// overwriting the destination's tags. Returns [{"tag", "digest"}] of what
// was copied.
nlohmann::json CopyAttachmentTags(const oci::ClientFactory& clients, const oci::Reference& from, const oci::Reference& to,
                                  const oci::Manifest& top);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_REGISTRY_SIGNATURE_TAGS_H_
