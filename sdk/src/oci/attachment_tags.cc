#include "berth/oci/attachment_tags.h"

namespace berth::oci {

std::string AttachmentTag(const Digest& subject, std::string_view suffix) {
  return subject.algorithm() + "-" + subject.hex() + std::string(suffix);
}

std::vector<std::string> AttachmentTags(const Digest& subject) {
  return {AttachmentTag(subject, ".sig"), AttachmentTag(subject, ".att"), AttachmentTag(subject, ".sbom"),
          AttachmentTag(subject, "")};
}

std::optional<std::string> AttachmentSubject(std::string_view tag) {
  constexpr std::string_view kPrefix = "sha256-";
  if (!tag.starts_with(kPrefix) || tag.size() < kPrefix.size() + 64) return std::nullopt;
  std::string subject = "sha256:" + std::string(tag.substr(kPrefix.size(), 64));
  if (!Digest::IsValid(subject)) return std::nullopt;
  if (tag.size() > kPrefix.size() + 64 && tag[kPrefix.size() + 64] != '.') return std::nullopt;
  return subject;
}

}  // namespace berth::oci
