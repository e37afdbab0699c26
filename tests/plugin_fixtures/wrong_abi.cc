// A plugin built for a future ABI: the host must refuse it from its manifest.
#include "berth/plugin.h"

extern "C" __attribute__((visibility("default"))) const BerthPluginEntry* berth_plugin_entry() {
  static const BerthPluginEntry entry = {BERTH_PLUGIN_ABI_VERSION + 998, "wrong-abi", "1.0.0", BERTH_SDK_BUILD_ID,
                                         [](berth::Registrar*, char*, uint32_t) { return 0; }};
  return &entry;
}
