# berth_own_plugins_table(TARGET)
#
# Links into TARGET (the berth executable) the table of berth's own
# plugins, every plugin berth_add_plugin() bundled: its name and the sha256
# of its manifest (host/core/plugins/own_plugins.h says why a table in the
# binary). Call it after every bundled plugin was added, in the top-level
# directory: the table is an object library of that directory, which the
# custom command writing it must share.
#
# The table is written after the plugins are linked (their manifests are
# written then), and only when it changes: it is a byproduct, which Ninja
# checks again after the command ran (restat), so a plugin relinked into the
# same bytes recompiles and relinks nothing of berth's.
function(berth_own_plugins_table target)
  get_property(names GLOBAL PROPERTY BERTH_OWN_PLUGINS)
  get_property(targets GLOBAL PROPERTY BERTH_OWN_PLUGIN_TARGETS)
  get_property(manifests GLOBAL PROPERTY BERTH_OWN_PLUGIN_MANIFESTS)
  set(dir ${CMAKE_BINARY_DIR}/generated)
  set(table ${dir}/berth_own_plugins.cc)
  set(list_file ${dir}/berth_own_plugins.list)
  set(lines "")
  foreach(name manifest IN ZIP_LISTS names manifests)
    string(APPEND lines "${name}|${manifest}\n")
  endforeach()
  file(CONFIGURE OUTPUT ${list_file} CONTENT "${lines}" @ONLY)
  add_custom_command(
    OUTPUT ${dir}/berth_own_plugins.stamp
    BYPRODUCTS ${table}
    COMMAND ${CMAKE_COMMAND} -DLIST=${list_file} -DOUTPUT=${table} -P ${PROJECT_SOURCE_DIR}/cmake/WriteOwnPlugins.cmake
    COMMAND ${CMAKE_COMMAND} -E touch ${dir}/berth_own_plugins.stamp
    DEPENDS ${targets} ${list_file} ${PROJECT_SOURCE_DIR}/cmake/WriteOwnPlugins.cmake
    COMMENT "Listing berth's own plugins"
    VERBATIM)
  add_library(berth-own-plugins OBJECT ${table} ${dir}/berth_own_plugins.stamp)
  target_include_directories(berth-own-plugins PRIVATE ${PROJECT_SOURCE_DIR}/host)
  target_link_libraries(${target} PRIVATE berth-own-plugins)
endfunction()
