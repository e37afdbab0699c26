// A plugin as berth 0.1's SDK built it: ABI 1, which passed C++ objects (the
// Registrar) across the boundary. Its entry struct is frozen here as 0.1's
// berth/abi.h declared it; the host must refuse it by its first field.
#include <cstdint>

namespace berth {
class Registrar;
}

extern "C" {
struct BerthPluginEntryV1 {
  uint32_t abi_version;
  const char* name;
  const char* version;
  const char* build_id;
  int (*register_plugin)(berth::Registrar* registrar, char* error, uint32_t error_size);
};

__attribute__((visibility("default"))) const BerthPluginEntryV1* berth_plugin_entry() {
  static const BerthPluginEntryV1 entry = {1, "old-abi", "1.0.0", "gcc-12.2.0;libstdc++-12;c++202002;berth-sdk-0.1.0",
                                           [](berth::Registrar*, char*, uint32_t) { return 0; }};
  return &entry;
}
}
