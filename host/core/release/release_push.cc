#include "core/release/release_push.h"

#include <memory>

#include "berth/oci/copy.h"
#include "berth/oci/fan_out.h"

namespace berth::host::release {

PushOutcome PushByDigest(RegistryRouter& router, oci::ImageSource& source, const std::vector<std::string>& repositories,
                         const StepReporter& step) {
  const Digest digest = source.TopManifest().digest;
  std::vector<std::unique_ptr<oci::ImageSink>> sinks;
  std::vector<oci::ImageSink*> pointers;
  oci::CopyOptions options;
  options.concurrency = 64;
  for (const auto& repository : repositories) {
    oci::Reference reference = oci::ImageLocation::Parse(repository).reference;
    reference.digest = digest;  // No tag: the manifest is put by its digest.
    router.Validate(reference);
    options.concurrency = std::min(options.concurrency, router.config().For(reference.registry).concurrency);
    sinks.push_back(oci::OpenRegistrySink(router.Client(reference.registry), reference, "release"));
    pointers.push_back(sinks.back().get());
    step("pushing " + repository + "@" + digest.str());
  }
  oci::FanOutResult result = oci::CopyImageToMany(source, pointers, options);

  PushOutcome outcome;
  outcome.digest = result.top.digest;
  for (size_t i = 0; i < repositories.size(); ++i) {
    const oci::DestinationResult& pushed = result.destinations[i];
    nlohmann::json copy = pushed.copy.ToJson();
    copy["image"] = repositories[i] + "@" + digest.str();
    if (!pushed.ok) {
      copy["error"] = pushed.error;
      outcome.errors.push_back(pushed.ErrorLine());
    }
    outcome.copies.push_back(copy);
  }
  outcome.code = result.exit_code();
  return outcome;
}

void MoveTag(RegistryRouter& router, const oci::Manifest& top, const std::string& repository, const std::string& tag) {
  oci::Reference reference = oci::ImageLocation::Parse(repository + ":" + tag).reference;
  router.Client(reference.registry)->PutManifest("release", reference.repository, tag, top);
}

}  // namespace berth::host::release
