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
      // The referrers fallback tag is a list, not a thing to copy: below.
      if (tag == oci::AttachmentTag(digest, "")) continue;
      if (!source_client->HeadManifest("copy", from.repository, tag)) continue;
      oci::Reference source = from.WithTag(tag);
      oci::Reference destination = to.WithTag(tag);
      auto reader = oci::OpenRegistrySource(source_client, source, "copy");
      auto writer = oci::OpenRegistrySink(destination_client, destination, "copy");
      oci::CopyResult result = oci::CopyImage(*reader, *writer, {});
      log::Info("copied {} to {}", source.str(), destination.str());
      copied.push_back({{"tag", tag}, {"digest", result.top.digest.str()}});
    }
    // Referrers, whether the source lists them through its referrers API or
    // its fallback tag: each is copied by digest (blobs the destination has
    // are skipped), then listed there the same way, merged with the
    // destination's own list rather than replacing it.
    for (const oci::Descriptor& listed : source_client->Referrers("copy", from.repository, digest)) {
      oci::Reference source = from.WithDigest(listed.digest);
      oci::Manifest referrer = source_client->GetManifest("copy", from.repository, listed.digest.str());
      if (referrer.is_index) {
        // An index's manifests go first, the way any copy stores them.
        auto reader = oci::OpenRegistrySource(source_client, source, "copy");
        auto writer = oci::OpenRegistrySink(destination_client, to.WithDigest(listed.digest), "copy");
        oci::CopyImage(*reader, *writer, {});
      } else {
        std::optional<std::string> mount = from.registry == to.registry ? std::optional(from.repository) : std::nullopt;
        for (const oci::Descriptor& blob : referrer.Blobs()) {
          auto bytes = oci::RegistryBlobSource(*source_client, "copy", from.repository, blob);
          destination_client->PushBlob("copy", to.repository, blob, *bytes, mount);
        }
      }
      std::string tag = destination_client->PutReferrer("copy", to.repository, referrer);
      log::Info("copied referrer {} of {} to {}", source.str(), digest.str(), to.Name());
      copied.push_back({{"tag", tag.empty() ? nlohmann::json(nullptr) : nlohmann::json(tag)},
                        {"digest", listed.digest.str()},
                        {"subject", digest.str()},
                        {"artifactType", listed.artifact_type}});
    }
  }
  return copied;
}

}  // namespace berth::host
