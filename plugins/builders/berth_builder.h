// berth's own builder as a Builder: no daemon, no Dockerfile; one
// reproducible layer from the build context on a base image (berth_image.h).
#ifndef BERTH_PLUGINS_BUILDERS_BERTH_BUILDER_H_
#define BERTH_PLUGINS_BUILDERS_BERTH_BUILDER_H_

#include <nlohmann/json.hpp>

#include "berth/builder.h"
#include "berth/settings.h"

namespace berth::builders {

// build.settings for berth's builder: base, entrypoint, cmd, env, ports,
// labels, workdir, dest, user.
SettingsSchema BerthBuilderSchema();

class BerthBuilder : public Builder {
 public:
  explicit BerthBuilder(nlohmann::json settings) : settings_(std::move(settings)) {}
  // Always usable, and the last choice of `auto`; it ignores a Dockerfile,
  // so `auto` never takes it for a project that has one (builder_choice.h).
  Result<BuilderFit> Check(const BuildRequest& request) noexcept override;
  Result<BuildOutcome> Build(const BuildRequest& request) noexcept override;

 private:
  nlohmann::json settings_;
};

}  // namespace berth::builders

#endif  // BERTH_PLUGINS_BUILDERS_BERTH_BUILDER_H_
