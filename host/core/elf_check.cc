#include "elf_check.h"

#include <elf.h>

#include <cstring>

#include "berth/abi.h"
#include "berth/fs.h"

namespace berth::host {
namespace {

Status Refuse(const std::filesystem::path& path, const std::string& problem) {
  return Status(ErrorCode::kPlugin, "plugin " + path.string() + ": " + problem);
}

template <typename T>
bool ReadAt(const std::string& data, size_t offset, T* out) {
  if (offset > data.size() || data.size() - offset < sizeof(T)) return false;
  std::memcpy(out, data.data() + offset, sizeof(T));
  return true;
}

}  // namespace

Status CheckPluginElf(const std::filesystem::path& library) {
  std::string data;
  try {
    data = ReadFile(library);
  } catch (const Error& e) {
    return Refuse(library, "cannot read the library");
  }
  Elf64_Ehdr header;
  if (!ReadAt(data, 0, &header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    return Refuse(library, "not a loadable shared library (not an ELF file)");
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_machine != EM_X86_64 && header.e_machine != EM_AARCH64) {
    return Refuse(library, "not a loadable shared library (wrong ELF class or machine)");
  }
  if (header.e_type != ET_DYN) return Refuse(library, "not a loadable shared library (ELF file is not ET_DYN)");
  // Find .dynsym and its string table through the section headers.
  for (int i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr section;
    if (!ReadAt(data, header.e_shoff + size_t(i) * header.e_shentsize, &section)) break;
    if (section.sh_type != SHT_DYNSYM) continue;
    Elf64_Shdr strings;
    if (!ReadAt(data, header.e_shoff + size_t(section.sh_link) * header.e_shentsize, &strings)) break;
    size_t count = section.sh_entsize ? section.sh_size / section.sh_entsize : 0;
    for (size_t s = 0; s < count; ++s) {
      Elf64_Sym symbol;
      if (!ReadAt(data, section.sh_offset + s * section.sh_entsize, &symbol)) break;
      if (symbol.st_shndx == SHN_UNDEF || symbol.st_name >= strings.sh_size) continue;
      const char* name = data.data() + strings.sh_offset + symbol.st_name;
      size_t max = strings.sh_size - symbol.st_name;
      if (strnlen(name, max) < max && std::strcmp(name, BERTH_PLUGIN_ENTRY_SYMBOL) == 0) return Status::Ok();
    }
  }
  return Refuse(library, std::string("no entry point '") + BERTH_PLUGIN_ENTRY_SYMBOL + "' (not a berth plugin)");
}

}  // namespace berth::host
