#include "core/registry/signature_tags.h"

#include "berth/oci/attachment_tags.h"
#include "berth/oci/copy.h"
#include "berth/util/log.h"

namespace berth::host {

nlohmann::json CopyAttachmentTags(const oci::ClientFactory& clients, const oci::Reference& from, const oci::Reference& to,
                                  const oci::Manifest& top) {
  std::vector<Digest> digests = {top.digest};
  for (const auto& child : top.manifests) digests.push_back(child.digest);
  auto source_client = clients(from);
  auto destination_client = clients(to);
  nlohmann::json copied = nlohmann::json::array();
  for (const Digest& digest : digests) {
    for (const std::string& tag : oci::AttachmentTags(digest)) {
      if (!source_client->HeadManifest("copy", from.repository, tag)) continue;
      oci::Reference source = from.WithTag(tag);
      oci::Reference destination = to.WithTag(tag);
      auto reader = oci::OpenRegistrySource(source_client, source, "copy");
      auto writer = oci::OpenRegistrySink(destination_client, destination, "copy");
      oci::CopyResult result = oci::CopyImage(*reader, *writer, {});
      log::Info("copied {} to {}", source.str(), destination.str());
      copied.push_back({{"tag", tag}, {"digest", result.top.digest.str()}});
    }
  }
  return copied;
}

}  // namespace berth::host
