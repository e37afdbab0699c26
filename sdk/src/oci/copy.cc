#include "berth/oci/copy.h"

#include <atomic>
#include <map>
#include <set>

#include "berth/error.h"
#include "berth/log.h"
#include "berth/oci/parallel.h"

namespace berth::oci {

nlohmann::json CopyResult::ToJson() const {
  return {{"digest", top.digest.str()},
          {"mediaType", top.media_type},
          {"size", top.size},
          {"platforms", platforms},
          {"manifests", manifests},
          {"blobs", {{"uploaded", blobs_uploaded}, {"mounted", blobs_mounted}, {"skipped", blobs_skipped}}},
          {"bytesUploaded", bytes_uploaded}};
}

Descriptor SelectPlatform(const Manifest& index, const Platform& platform, const std::string& where) {
  std::string available;
  for (const auto& descriptor : index.manifests) {
    if (!descriptor.platform) continue;
    if (descriptor.platform->Matches(platform)) return descriptor;
    available += (available.empty() ? "" : ", ") + descriptor.platform->str();
  }
  throw Error(ErrorCode::kNotFound, where + ": no manifest for platform " + platform.str() + " (the index has: " +
                                        (available.empty() ? "none with a platform" : available) + ")");
}

CopyResult CopyImage(ImageSource& source, ImageSink& sink, const CopyOptions& options) {
  CopyResult result;
  Manifest top = source.TopManifest();
  std::vector<Manifest> images;  // Image manifests whose blobs go over.
  std::vector<Manifest> children;  // Manifests an index lists, stored before it.
  bool whole_index = false;
  if (top.is_index) {
    std::optional<Platform> wanted = options.platform;
    if (!wanted && !sink.AcceptsIndex()) wanted = Platform::Host();
    if (wanted) {
      Descriptor chosen = SelectPlatform(top, *wanted, source.Describe());
      top = source.ChildManifest(chosen);
      if (chosen.platform) result.platforms.push_back(chosen.platform->str());
    } else {
      whole_index = true;
      // Nested indexes are rare but legal: walk them too.
      std::vector<Manifest> pending = {top};
      while (!pending.empty()) {
        Manifest index = std::move(pending.back());
        pending.pop_back();
        for (const auto& descriptor : index.manifests) {
          Manifest child = source.ChildManifest(descriptor);
          if (descriptor.platform) result.platforms.push_back(descriptor.platform->str());
          if (child.is_index) {
            pending.push_back(child);
          } else {
            images.push_back(child);
          }
          children.push_back(std::move(child));
        }
      }
    }
  }
  if (!whole_index) {
    if (top.is_index) throw Error(ErrorCode::kInvalidInput, source.Describe() + ": nested index for one platform is not supported");
    images.push_back(top);
  }

  // Unique blobs, configs first (small, and they tell a sink what follows).
  std::vector<std::pair<Descriptor, bool>> blobs;
  std::set<std::string> seen;
  for (const auto& image : images) {
    for (const auto& blob : image.Blobs()) {
      if (!blob.urls.empty()) {
        log::Info("skipping foreign layer {} (it lives at {})", blob.digest.str(), blob.urls.front());
        continue;
      }
      if (seen.insert(blob.digest.str()).second) blobs.emplace_back(blob, image.config && blob.digest == image.config->digest);
    }
  }
  std::atomic<int> uploaded{0}, mounted{0}, skipped{0};
  std::atomic<int64_t> bytes{0};
  ForEachBounded(blobs.size(), options.concurrency, [&](size_t i) {
    const auto& [blob, is_config] = blobs[i];
    BlobOutcome outcome = sink.PutBlob(blob, source, is_config);
    switch (outcome) {
      case BlobOutcome::kExisted:
        ++skipped;
        log::Info("{}: blob {} already there", sink.Describe(), blob.digest.str());
        break;
      case BlobOutcome::kMounted:
        ++mounted;
        log::Info("{}: blob {} mounted", sink.Describe(), blob.digest.str());
        break;
      case BlobOutcome::kUploaded:
        ++uploaded;
        bytes += blob.size;
        log::Info("{}: blob {} copied ({} bytes)", sink.Describe(), blob.digest.str(), blob.size);
        break;
    }
  });
  // Children before the index that lists them: registries check references.
  for (auto it = children.rbegin(); it != children.rend(); ++it) {
    if (!it->is_index) sink.PutChildManifest(*it);
  }
  for (auto it = children.rbegin(); it != children.rend(); ++it) {
    if (it->is_index) sink.PutChildManifest(*it);
  }
  sink.Commit(top);
  result.top = top.AsDescriptor();
  result.manifests = int(children.size()) + 1;
  result.blobs_uploaded = uploaded;
  result.blobs_mounted = mounted;
  result.blobs_skipped = skipped;
  result.bytes_uploaded = bytes;
  return result;
}

}  // namespace berth::oci
