// Ordering plugin versions, for picking an index's newest version and for
// `berth plugin upgrade`: semantic versioning 2.0.0 precedence, so 1.10.0
// is newer than 1.9.0 and 2.0.0-rc.1 is older than 2.0.0.
#ifndef BERTH_HOST_CORE_PLUGINS_PLUGIN_VERSION_H_
#define BERTH_HOST_CORE_PLUGINS_PLUGIN_VERSION_H_

#include <string>

namespace berth::host {

// <0, 0 or >0 as a is older than, as old as, or newer than b. Build
// metadata (+...) is ignored, as semver says. A version that is not semver
// sorts before every semver one, and among themselves by text, so a stray
// "latest" can never win an upgrade.
int CompareVersions(const std::string& a, const std::string& b);

bool IsPrerelease(const std::string& version);

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_PLUGIN_VERSION_H_
