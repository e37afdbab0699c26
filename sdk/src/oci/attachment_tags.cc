#include "berth/oci/attachment_tags.h"

namespace berth::oci {
namespace {

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

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
  std::string_view hex = tag.substr(kPrefix.size(), 64);
  if (!IsLowerHex(hex)) return std::nullopt;
  if (tag.size() > kPrefix.size() + 64 && tag[kPrefix.size() + 64] != '.') return std::nullopt;
  return "sha256:" + std::string(hex);
}

}  // namespace berth::oci
