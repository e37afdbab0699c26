// The micros-stash secret store: Micros stash entries set through
// `atlas micros stash set -f FILE`, where FILE is a 0600 JSON file removed as
// soon as atlas returns (and by berth's signal handler on Ctrl-C), so no
// value ever appears in an argument list.
#ifndef BERTH_PLUGINS_MICROS_STASH_STORE_H_
#define BERTH_PLUGINS_MICROS_STASH_STORE_H_

#include <string>
#include <string_view>

#include "atlas_cli.h"
#include "berth/secret_store.h"
#include "micros_settings.h"

namespace berth::micros {

class StashStore : public SecretStore {
 public:
  explicit StashStore(StashSettings settings);

  Status Set(const std::string& environment, const std::string& name, const SecretValue& value) noexcept override;
  Result<std::vector<std::string>> List(const std::string& environment) noexcept override;
  Status Delete(const std::string& environment, const std::string& name) noexcept override;
  // The stash cannot be read back: existing names are kChanged.

 private:
  std::string MicrosEnv(const std::string& environment) const;
  std::vector<std::string> Keys(const std::string& env);

  StashSettings settings_;
  AtlasCli atlas_;
};

// {"KEY": "value"} with JSON escapes, built straight into `out` so that no
// other copy of the value is left behind.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace berth::micros

#endif  // BERTH_PLUGINS_MICROS_STASH_STORE_H_
