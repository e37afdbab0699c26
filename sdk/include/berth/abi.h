// The plugin boundary: one C entry point returning a plain struct.
//
// Modelled on LLVM's PassPluginLibraryInfo: the host reads abi_version and
// build_id and compares them exactly before it calls anything else in the
// plugin. Plugins are C++ and share libberth-sdk with the host, so the build id
// pins compiler, standard library, language level and SDK version.
#ifndef BERTH_ABI_H_
#define BERTH_ABI_H_

#include <cstdint>

#include "berth/version.h"

// Bump on any change to this struct, the Registrar or an interface's vtable.
#define BERTH_PLUGIN_ABI_VERSION 1u

#define BERTH_STRINGIFY_INNER(x) #x
#define BERTH_STRINGIFY(x) BERTH_STRINGIFY_INNER(x)

#if defined(__clang__)
#define BERTH_COMPILER_ID "clang-" __clang_version__
#elif defined(__GNUC__)
#define BERTH_COMPILER_ID "gcc-" BERTH_STRINGIFY(__GNUC__) "." BERTH_STRINGIFY(__GNUC_MINOR__) "." BERTH_STRINGIFY(__GNUC_PATCHLEVEL__)
#else
#define BERTH_COMPILER_ID "unknown-compiler"
#endif

#if defined(_GLIBCXX_RELEASE)
#define BERTH_STDLIB_ID "libstdc++-" BERTH_STRINGIFY(_GLIBCXX_RELEASE)
#elif defined(_LIBCPP_VERSION)
#define BERTH_STDLIB_ID "libc++-" BERTH_STRINGIFY(_LIBCPP_VERSION)
#else
#define BERTH_STDLIB_ID "unknown-stdlib"
#endif

// Evaluated where it is expanded: in a plugin it describes the plugin's build.
#define BERTH_SDK_BUILD_ID \
  BERTH_COMPILER_ID ";" BERTH_STDLIB_ID ";c++" BERTH_STRINGIFY(__cplusplus) ";berth-sdk-" BERTH_SDK_VERSION

namespace berth {
class Registrar;
}

extern "C" {

struct BerthPluginEntry {
  uint32_t abi_version;
  const char* name;
  const char* version;
  const char* build_id;
  // Registers what the plugin provides. Returns 0 on success; on failure it
  // returns non-zero and has written the reason into error (NUL-terminated,
  // at most error_size bytes). Never throws.
  int (*register_plugin)(berth::Registrar* registrar, char* error, uint32_t error_size);
};

}  // extern "C"

#define BERTH_PLUGIN_ENTRY_SYMBOL "berth_plugin_entry"

#endif  // BERTH_ABI_H_
