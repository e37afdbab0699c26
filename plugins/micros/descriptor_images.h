// Which image a Micros descriptor makes Micros run, and whether that is the
// image berth records. Micros pulls `compose.<container>.image` at
// `compose.<container>.tag` (or the older `links.binary`), a tag, while berth
// records a digest: before a deploy, every such reference is resolved on the
// registry and must name the recorded digest, or the deploy is refused. A
// template that writes the tag out instead of `{{ tag }}` deploys that tag
// whatever version is asked for, so it is flagged.
#ifndef BERTH_PLUGINS_MICROS_DESCRIPTOR_IMAGES_H_
#define BERTH_PLUGINS_MICROS_DESCRIPTOR_IMAGES_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::micros {

struct DescriptorImage {
  std::string field;      // "compose.app" or "links.binary".
  std::string image;      // Repository as written.
  std::string tag;        // As written; may be a digest ("sha256:...") or empty.
  int line = 1;           // Of the tag (else the image), 1-based.
  int column = 1;
};

// Every image reference of a descriptor, in file order. A descriptor that is
// not YAML has none (ValidateDescriptor reports why).
std::vector<DescriptorImage> DescriptorImages(std::string_view text);

// Returns the digest `image:tag` names on its registry, nullopt when the
// registry has no such tag.
using TagResolver = std::function<std::optional<std::string>(const std::string& reference)>;

// Throws Error(kVerification) "FILE:LINE:COL: compose.app deploys
// REPO:TAG, which names sha256:X, not the recorded sha256:Y" for the first
// reference that does not name `digest`, and Error(kNotFound) for a tag the
// registry does not have.
void CheckDescriptorImages(std::string_view rendered, const std::string& label, const std::string& digest, const TagResolver& resolve);

// Warnings ("FILE:LINE:COL: compose.app.tag is written out (app-1.0.0) ...")
// for each tag in a template that no placeholder renders.
std::vector<std::string> HardCodedTags(std::string_view template_text, const std::string& label);

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_DESCRIPTOR_IMAGES_H_
