// A plugin that claims another compiler's build: refused before dlopen.
#include "berth/plugin.h"

extern "C" __attribute__((visibility("default"))) const BerthPluginEntry* berth_plugin_entry() {
  static const BerthPluginEntry entry = {BERTH_PLUGIN_ABI_VERSION, "wrong-build-id", "1.0.0",
                                         "gcc-9.9.9;libstdc++-9;c++201703;berth-sdk-0.0.1",
                                         [](berth::Registrar*, char*, uint32_t) { return 0; }};
  return &entry;
}
