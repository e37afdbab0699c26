#include "core/plugins/elf_check.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "berth/abi/berth_plugin_api.h"

namespace berth::host {
namespace {

#if defined(__x86_64__)
constexpr uint16_t kNativeMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t kNativeMachine = EM_AARCH64;
#else
#error "berth plugins are checked for x86_64 and aarch64 only; add this machine's ELF e_machine"
#endif

// The names `uname -m` prints, which is what a user compares with.
std::string MachineName(uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return "x86_64";
    case EM_AARCH64: return "aarch64";
    case EM_386: return "i386";
    case EM_ARM: return "arm";
    case EM_RISCV: return "riscv64";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390x";
    default: return "ELF machine " + std::to_string(machine);
  }
}

Status Refuse(const std::filesystem::path& path, const std::string& problem) {
  return Status(ErrorCode::kPlugin, "plugin " + path.string() + ": " + problem);
}

// Reads only the headers and the dynamic symbol table: a plugin built with
// debug info is megabytes, most of which this check never needs.
class ElfFile {
 public:
  explicit ElfFile(int fd) : fd_(fd) {}
  bool ok() const { return fd_ >= 0; }
  template <typename T>
  bool ReadAt(uint64_t offset, T* out) const {
    return pread(fd_, out, sizeof(T), off_t(offset)) == ssize_t(sizeof(T));
  }
  bool ReadBytes(uint64_t offset, uint64_t size, std::string* out) const {
    if (size > (64u << 20)) return false;
    out->resize(size);
    return pread(fd_, out->data(), size, off_t(offset)) == ssize_t(size);
  }

 private:
  int fd_;
};

}  // namespace

Status CheckPluginElf(const std::filesystem::path& library) {
  int fd = open(library.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Refuse(library, "cannot read the library");
  Status status = CheckPluginElf(fd, library);
  close(fd);
  return status;
}

Status CheckPluginElf(int fd, const std::filesystem::path& library) {
  ElfFile file(fd);
  if (!file.ok()) return Refuse(library, "cannot read the library");
  Elf64_Ehdr header;
  if (!file.ReadAt(0, &header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    return Refuse(library, "not a loadable shared library (not an ELF file)");
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64) return Refuse(library, "not a loadable shared library (not a 64-bit ELF file)");
  if (header.e_machine != kNativeMachine) {
    // Said before anything is copied or loaded: dlopen's own "cannot open
    // shared object file" names neither the library's machine nor ours.
    return Refuse(library, std::string("built for ") + MachineName(header.e_machine) + ", but this machine runs " +
                               MachineName(kNativeMachine) + " (install the plugin's " + MachineName(kNativeMachine) + " build)");
  }
  if (header.e_type != ET_DYN) return Refuse(library, "not a loadable shared library (ELF file is not ET_DYN)");
  // Find .dynsym and its string table through the section headers.
  for (int i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr section;
    if (!file.ReadAt(header.e_shoff + uint64_t(i) * header.e_shentsize, &section)) break;
    if (section.sh_type != SHT_DYNSYM || section.sh_entsize != sizeof(Elf64_Sym)) continue;
    Elf64_Shdr strings_header;
    std::string symbols, strings;
    if (!file.ReadAt(header.e_shoff + uint64_t(section.sh_link) * header.e_shentsize, &strings_header) ||
        !file.ReadBytes(section.sh_offset, section.sh_size, &symbols) ||
        !file.ReadBytes(strings_header.sh_offset, strings_header.sh_size, &strings)) {
      break;
    }
    for (size_t offset = 0; offset + sizeof(Elf64_Sym) <= symbols.size(); offset += sizeof(Elf64_Sym)) {
      Elf64_Sym symbol;
      std::memcpy(&symbol, symbols.data() + offset, sizeof(symbol));
      if (symbol.st_shndx == SHN_UNDEF || symbol.st_name >= strings.size()) continue;
      if (std::strcmp(strings.c_str() + symbol.st_name, BERTH_PLUGIN_ENTRY_SYMBOL) == 0) return Status::Ok();
    }
  }
  return Refuse(library, std::string("no entry point '") + BERTH_PLUGIN_ENTRY_SYMBOL + "' (not a berth plugin)");
}

std::optional<std::string> ElfLibc(const std::filesystem::path& library) {
  int fd = open(library.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  ElfFile file(fd);
  std::optional<std::string> libc;
  Elf64_Ehdr header;
  if (file.ReadAt(0, &header) && std::memcmp(header.e_ident, ELFMAG, SELFMAG) == 0 && header.e_ident[EI_CLASS] == ELFCLASS64) {
    for (int i = 0; i < header.e_shnum && !libc; ++i) {
      Elf64_Shdr section, strings_header;
      std::string entries, strings;
      if (!file.ReadAt(header.e_shoff + uint64_t(i) * header.e_shentsize, &section)) break;
      if (section.sh_type != SHT_DYNAMIC || section.sh_entsize != sizeof(Elf64_Dyn)) continue;
      if (!file.ReadAt(header.e_shoff + uint64_t(section.sh_link) * header.e_shentsize, &strings_header) ||
          !file.ReadBytes(section.sh_offset, section.sh_size, &entries) ||
          !file.ReadBytes(strings_header.sh_offset, strings_header.sh_size, &strings)) {
        break;
      }
      for (size_t offset = 0; offset + sizeof(Elf64_Dyn) <= entries.size(); offset += sizeof(Elf64_Dyn)) {
        Elf64_Dyn entry;
        std::memcpy(&entry, entries.data() + offset, sizeof(entry));
        if (entry.d_tag == DT_NULL) break;
        if (entry.d_tag != DT_NEEDED || entry.d_un.d_val >= strings.size()) continue;
        std::string needed = strings.c_str() + entry.d_un.d_val;
        if (needed == "libc.so.6") libc = "glibc";
        if (needed == "libc.so" || needed.rfind("libc.musl-", 0) == 0) libc = "musl";
      }
    }
  }
  close(fd);
  return libc;
}

const char* HostLibc() {
#if defined(__GLIBC__)
  return "glibc";
#else
  return "musl";
#endif
}

std::optional<std::string> ElfOciArchitecture(const std::filesystem::path& library) {
  int fd = open(library.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  Elf64_Ehdr header;
  bool read = ElfFile(fd).ReadAt(0, &header);
  close(fd);
  if (!read || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64) return std::nullopt;
  if (header.e_machine == EM_X86_64) return "amd64";
  if (header.e_machine == EM_AARCH64) return "arm64";
  return std::nullopt;
}

}  // namespace berth::host
