// Signatures travel with images: cosign keeps an image's signatures,
// attestations and SBOMs under tags derived from its digest
// ("sha256-<hex>.sig", ".att", ".sbom") in the same repository, and OCI 1.1
// referrers (cosign v3's bundles, berth's plugin signatures) point at their
// subject, listed by the registry's referrers API or, on registries without
// one, in the index under the tag "sha256-<hex>". Copying only the image
// would leave them behind. `berth copy` and `berth promote` call this after
// a registry-to-registry copy (unless --no-signatures).
#ifndef BERTH_HOST_CORE_REGISTRY_SIGNATURE_TAGS_H_
#define BERTH_HOST_CORE_REGISTRY_SIGNATURE_TAGS_H_

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "berth/oci/image.h"
#include "berth/oci/reference.h"

namespace berth::host {

// For the image `top` and, when it is an index, each manifest it lists:
// copies the attachment tags that exist in `from`'s repository to `to`'s,
// overwriting the destination's tags, and every referrer (by digest, with
// its blobs unless the destination has them), listing it at the
// destination through its referrers API or its fallback tag, merged with
// the entries already there. Returns what was copied: [{"tag", "digest"}]
// for a tag, [{"tag" (the fallback tag, or null), "digest", "subject",
// "artifactType"}] for a referrer.
nlohmann::json CopyAttachmentTags(const oci::ClientFactory& clients, const oci::Reference& from, const oci::Reference& to,
                                  const oci::Manifest& top);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_REGISTRY_SIGNATURE_TAGS_H_
