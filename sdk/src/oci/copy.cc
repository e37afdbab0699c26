#include "berth/oci/copy.h"

#include <atomic>
#include <map>
#include <set>

#include "berth/error.h"
#include "berth/oci/parallel.h"
#include "berth/oci/progress.h"
#include "berth/util/log.h"

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

CopyPlan PlanCopy(ImageSource& source, bool accepts_index, const CopyOptions& options) {
  CopyPlan plan;
  Manifest top = source.TopManifest();
  std::vector<Manifest> images;  // Image manifests whose blobs go over.
  bool whole_index = false;
  if (top.is_index) {
    std::optional<Platform> wanted = options.platform;
    if (!wanted && !accepts_index) wanted = Platform::Host();
    if (wanted) {
      Descriptor chosen = SelectPlatform(top, *wanted, source.Describe());
      top = source.ChildManifest(chosen);
      if (chosen.platform) plan.platforms.push_back(chosen.platform->str());
    } else {
      whole_index = true;
      // Nested indexes are rare but legal: walk them too.
      std::vector<Manifest> pending = {top};
      while (!pending.empty()) {
        Manifest index = std::move(pending.back());
        pending.pop_back();
        for (const auto& descriptor : index.manifests) {
          Manifest child = source.ChildManifest(descriptor);
          if (descriptor.platform) plan.platforms.push_back(descriptor.platform->str());
          if (child.is_index) {
            pending.push_back(child);
          } else {
            images.push_back(child);
          }
          plan.children.push_back(std::move(child));
        }
      }
    }
  }
  if (!whole_index) {
    if (top.is_index) throw Error(ErrorCode::kInvalidInput, source.Describe() + ": nested index for one platform is not supported");
    images.push_back(top);
  }

  // Unique blobs, configs first (small, and they tell a sink what follows).
  std::set<std::string> seen;
  for (const auto& image : images) {
    for (const auto& blob : image.Blobs()) {
      if (!blob.urls.empty()) {
        log::Info("skipping foreign layer {} (it lives at {})", blob.digest.str(), blob.urls.front());
        continue;
      }
      if (seen.insert(blob.digest.str()).second) plan.blobs.emplace_back(blob, image.config && blob.digest == image.config->digest);
    }
  }
  plan.top = std::move(top);
  return plan;
}

void CommitPlan(ImageSink& sink, const CopyPlan& plan) {
  // Children before the index that lists them: registries check references.
  for (auto it = plan.children.rbegin(); it != plan.children.rend(); ++it) {
    if (!it->is_index) sink.PutChildManifest(*it);
  }
  for (auto it = plan.children.rbegin(); it != plan.children.rend(); ++it) {
    if (it->is_index) sink.PutChildManifest(*it);
  }
  sink.Commit(plan.top);
}

void BlobTally::Record(const std::string& where, const Descriptor& blob, BlobOutcome outcome) {
  switch (outcome) {
    case BlobOutcome::kExisted:
      log::Info("{}: blob {} already there", where, blob.digest.str());
      ++skipped;
      break;
    case BlobOutcome::kMounted:
      log::Info("{}: blob {} mounted", where, blob.digest.str());
      ++mounted;
      break;
    case BlobOutcome::kUploaded:
      log::Info("{}: blob {} copied ({} bytes)", where, blob.digest.str(), blob.size);
      ++uploaded;
      bytes += blob.size;
      break;
  }
}

void BlobTally::CopyTo(CopyResult& result) const {
  result.blobs_uploaded = uploaded;
  result.blobs_mounted = mounted;
  result.blobs_skipped = skipped;
  result.bytes_uploaded = bytes;
}

CopyResult CopyImage(ImageSource& original, ImageSink& sink, const CopyOptions& options) {
  std::unique_ptr<ImageSource> observed = options.observer ? ObserveSource(original, *options.observer) : nullptr;
  ImageSource& source = observed ? *observed : original;
  CopyResult result;
  CopyPlan plan = PlanCopy(source, sink.AcceptsIndex(), options);
  result.platforms = plan.platforms;
  BlobTally tally;
  ForEachBounded(plan.blobs.size(), options.concurrency, [&](size_t i) {
    const auto& [blob, is_config] = plan.blobs[i];
    BlobOutcome outcome = sink.PutBlob(blob, source, is_config);
    tally.Record(sink.Describe(), blob, outcome);
    if (options.observer) options.observer->BlobDone(sink.Describe(), blob, outcome);
  });
  CommitPlan(sink, plan);
  result.top = plan.top.AsDescriptor();
  result.manifests = int(plan.children.size()) + 1;
  tally.CopyTo(result);
  return result;
}

}  // namespace berth::oci
