#include "core/release/release_push.h"

#include <memory>

#include "berth/oci/copy.h"
#include "berth/oci/fan_out.h"

namespace berth::host::release {

PushOutcome PushToRegistries(RegistryRouter& router, oci::ImageSource& source, const std::vector<std::string>& repositories,
                             const std::vector<std::string>& tags, const std::function<void(const std::string&)>& step) {
  std::vector<oci::Reference> references;
  std::vector<std::unique_ptr<oci::ImageSink>> sinks;
  std::vector<oci::ImageSink*> pointers;
  oci::CopyOptions options;
  options.concurrency = 64;
  for (const auto& repository : repositories) {
    oci::Reference reference = oci::ImageLocation::Parse(repository + ":" + tags.front()).reference;
    router.Validate(reference);
    options.concurrency = std::min(options.concurrency, router.config().For(reference.registry).concurrency);
    sinks.push_back(oci::OpenRegistrySink(router.Client(reference.registry), reference, "release"));
    pointers.push_back(sinks.back().get());
    references.push_back(reference);
    step("pushing " + repository + ":" + tags.front());
  }
  oci::FanOutResult result = oci::CopyImageToMany(source, pointers, options);

  PushOutcome outcome;
  outcome.digest = result.top.digest;
  oci::Manifest top = source.TopManifest();
  for (size_t i = 0; i < repositories.size(); ++i) {
    oci::DestinationResult& pushed = result.destinations[i];
    for (size_t t = 0; t < tags.size(); ++t) {
      std::string image = repositories[i] + ":" + tags[t];
      nlohmann::json copy = pushed.copy.ToJson();
      copy["image"] = image;
      if (!pushed.ok) {
        copy["error"] = pushed.error;
        outcome.copies.push_back(copy);
        continue;
      }
      if (t > 0) {
        // Every blob and child manifest is there already: only the top manifest moves.
        copy["blobs"] = {{"uploaded", 0}, {"mounted", 0}, {"skipped", int(pushed.copy.blobs_uploaded + pushed.copy.blobs_mounted +
                                                                              pushed.copy.blobs_skipped)}};
        copy["bytesUploaded"] = 0;
        step("tagging " + image);
        try {
          router.Client(references[i].registry)->PutManifest("release", references[i].repository, tags[t], top);
        } catch (const Error& e) {
          pushed.ok = false;
          pushed.code = e.code();
          pushed.error = e.what();
          copy["error"] = pushed.error;
          outcome.copies.push_back(copy);
          continue;
        }
      }
      outcome.images.push_back(image);
      outcome.copies.push_back(copy);
    }
    if (!pushed.ok) outcome.errors.push_back(pushed.ErrorLine());
  }
  outcome.code = result.exit_code();  // Recomputed: a tag may have failed after the fan-out.
  return outcome;
}

}  // namespace berth::host::release
