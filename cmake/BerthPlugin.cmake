# berth_add_plugin(NAME SOURCES ... [LIBRARIES ...] [OUTPUT_DIR dir] [ALLOW_BROKEN])
#
# Builds a berth plugin as a loadable module named libberth-NAME.so in its own
# folder, and writes berth-plugin.json beside it from the plugin's own
# registration (name, version, ABI, build id, what it provides, sha256), so the
# host can read it without loading the plugin. The same function serves the
# plugins in this repository and plugins built out of tree after
# find_package(BerthSDK).
function(berth_add_plugin name)
  cmake_parse_arguments(ARG "ALLOW_BROKEN;NO_INSTALL" "OUTPUT_DIR;TARGET" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_OUTPUT_DIR)
    if(BERTH_PLUGIN_OUTPUT_DIR)
      set(ARG_OUTPUT_DIR ${BERTH_PLUGIN_OUTPUT_DIR})
    else()
      set(ARG_OUTPUT_DIR ${CMAKE_BINARY_DIR}/plugins)
    endif()
  endif()
  if(NOT ARG_TARGET)
    set(ARG_TARGET berth-plugin-${name})
  endif()
  set(dir ${ARG_OUTPUT_DIR}/${name})
  add_library(${ARG_TARGET} MODULE ${ARG_SOURCES})
  target_link_libraries(${ARG_TARGET} PRIVATE Berth::sdk ${ARG_LIBRARIES})
  set_target_properties(${ARG_TARGET} PROPERTIES
    PREFIX "" OUTPUT_NAME "libberth-${name}" SUFFIX ".so"
    LIBRARY_OUTPUT_DIRECTORY ${dir}
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  set(manifest_args --library $<TARGET_FILE:${ARG_TARGET}> --output ${dir}/berth-plugin.json)
  if(ARG_ALLOW_BROKEN)
    list(APPEND manifest_args --allow-broken)
  endif()
  add_custom_command(TARGET ${ARG_TARGET} POST_BUILD
    COMMAND ${BERTH_PLUGIN_MANIFEST_TOOL} ${manifest_args}
    COMMENT "Writing the manifest of berth plugin ${name}"
    VERBATIM)
  if(NOT ARG_NO_INSTALL)
    if(NOT BERTH_PLUGIN_INSTALL_DIR)
      set(BERTH_PLUGIN_INSTALL_DIR lib/berth/plugins)
    endif()
    install(TARGETS ${ARG_TARGET} LIBRARY DESTINATION ${BERTH_PLUGIN_INSTALL_DIR}/${name})
    install(FILES ${dir}/berth-plugin.json DESTINATION ${BERTH_PLUGIN_INSTALL_DIR}/${name})
  endif()
endfunction()
