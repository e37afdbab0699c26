// A plugin built for a future ABI major: the host must refuse it from its
// manifest, and from its entry point when the manifest lies.
#include "berth/abi/berth_plugin_api.h"

extern "C" __attribute__((visibility("default"))) const berth_plugin* berth_plugin_entry(void) {
  static const berth_plugin plugin = {BERTH_ABI_MAJOR + 998, sizeof(berth_plugin), 0, 0, "wrong-abi", "1.0.0"};
  return &plugin;
}
