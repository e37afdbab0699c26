# cmake -DLIST=FILE -DOUTPUT=FILE -P WriteOwnPlugins.cmake
#
# Writes the table of berth's own plugins (cmake/BerthOwnPlugins.cmake) from
# LIST, one NAME|MANIFEST line per plugin, leaving OUTPUT untouched when its
# text would not change.
file(STRINGS "${LIST}" lines)
set(entries "")
foreach(line IN LISTS lines)
  string(REPLACE "|" ";" fields "${line}")
  list(GET fields 0 name)
  list(GET fields 1 manifest)
  file(SHA256 "${manifest}" sha256)
  string(APPEND entries "    {\"${name}\", \"${sha256}\"},\n")
endforeach()
if(entries STREQUAL "")
  set(body "  return {};")
else()
  set(body "  static constexpr OwnPlugin kOwn[] = {\n${entries}  };\n  return kOwn;")
endif()
set(text "// Written by cmake/WriteOwnPlugins.cmake at build time; see own_plugins.h.
#include \"core/plugins/own_plugins.h\"

namespace berth::host {

std::span<const OwnPlugin> BerthOwnPlugins() {
${body}
}

}  // namespace berth::host
")
set(old "")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
