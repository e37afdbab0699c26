// Writing small OCI image layouts that berth then pushes with its copy
// engine (`plugin publish`, `plugin index publish`): what berth writes is
// pushed by the same code, with the same checks, as what it copies.
#ifndef BERTH_HOST_CORE_PLUGINS_LAYOUT_WRITER_H_
#define BERTH_HOST_CORE_PLUGINS_LAYOUT_WRITER_H_

#include <filesystem>
#include <string>

#include "berth/oci/image.h"

namespace berth::host {

// Creates the layout's oci-layout file and blob directory.
void StartLayout(const std::filesystem::path& layout);
// Stores `bytes` as a blob of the layout; returns its descriptor.
oci::Descriptor PutLayoutBlob(const std::filesystem::path& layout, const std::string& media_type, const std::string& bytes);
// Names `top` (a manifest or index already stored) as the layout's one image, under `tag`.
void WriteLayoutTop(const std::filesystem::path& layout, const oci::Descriptor& top, const std::string& tag);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_LAYOUT_WRITER_H_
