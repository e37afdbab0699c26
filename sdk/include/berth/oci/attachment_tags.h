// The tags under which an image's attachments live beside it in its
// repository: cosign's "sha256-<hex>.sig", ".att" and ".sbom", and the
// referrers tag schema's bare "sha256-<hex>" (OCI 1.1 referrers on
// registries without the referrers API). One definition, because the
// cosign plugin writes them, `berth copy` carries them along, and ghcr's
// prune keeps them with their subject.
#ifndef BERTH_OCI_ATTACHMENT_TAGS_H_
#define BERTH_OCI_ATTACHMENT_TAGS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/util/digest.h"

namespace berth::oci {

// "sha256-<hex>" + suffix (".sig", ".att", ".sbom", or "" for the referrers tag).
std::string AttachmentTag(const Digest& subject, std::string_view suffix);

// The four tags of `subject`, the referrers tag last.
std::vector<std::string> AttachmentTags(const Digest& subject);

// "sha256:<hex>" when `tag` is an attachment tag of that digest.
std::optional<std::string> AttachmentSubject(std::string_view tag);

}  // namespace berth::oci

#endif  // BERTH_OCI_ATTACHMENT_TAGS_H_
