// Calling a plugin's entry point, found by name (dlsym): the host's loader,
// the manifest tool and the test harness all call it through this.
#ifndef BERTH_ABI_ENTRY_POINT_H_
#define BERTH_ABI_ENTRY_POINT_H_

#include "berth/abi/berth_plugin_api.h"

namespace berth::abi {

// What the entry point really is shows only in the first field it returns
// (the ABI major): a plugin of another ABI (berth 0.1's returned another
// struct) is called through this type on purpose, and is then refused by
// that field. clang's -fsanitize=function would report the call as
// undefined behaviour, so it is exempt here and nowhere else.
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
inline const berth_plugin* CallEntryPoint(berth_plugin_entry_fn entry) {
  return entry();
}

}  // namespace berth::abi

#endif  // BERTH_ABI_ENTRY_POINT_H_
