// Reads just enough of an ELF file to tell, without loading it, whether it
// is a shared library that exports the berth entry point. `berth plugin list`
// can then report such broken plugins from files alone.
#ifndef BERTH_HOST_CORE_PLUGINS_ELF_CHECK_H_
#define BERTH_HOST_CORE_PLUGINS_ELF_CHECK_H_

#include <filesystem>
#include <optional>
#include <string>

#include "berth/error.h"

namespace berth::host {

Status CheckPluginElf(const std::filesystem::path& library);
// The same for the file open on `fd` (not closed), the one that will be
// loaded; `library` names it in messages.
Status CheckPluginElf(int fd, const std::filesystem::path& library);

// The OCI architecture ("amd64", "arm64") of a 64-bit ELF file, for the
// platform of a published plugin; nullopt for anything else.
std::optional<std::string> ElfOciArchitecture(const std::filesystem::path& library);

// The C library a shared library was linked against, from its DT_NEEDED
// entries: "glibc" (libc.so.6) or "musl" (libc.so, libc.musl-*); nullopt
// when it names neither or cannot be read. A glibc berth cannot load a
// musl-linked plugin, nor the other way round.
std::optional<std::string> ElfLibc(const std::filesystem::path& library);
// The C library this berth runs on.
const char* HostLibc();

}  // namespace berth::host

#endif  // BERTH_HOST_CORE_PLUGINS_ELF_CHECK_H_
