# berth_add_plugin(NAME SOURCES ... [LIBRARIES ...] [OUTPUT_DIR dir] [ALLOW_BROKEN] [STANDALONE])
#
# Builds a berth plugin as a loadable module named libberth-NAME.so in its own
# folder, and writes berth-plugin.json beside it from the plugin's own
# registration (name, version, ABI major and minor, what it provides, sha256),
# so the host can read it without loading the plugin. The same function serves
# the plugins in this repository and plugins built out of tree after
# find_package(BerthSDK).
#
# The SDK's plugin runtime (the C boundary's plugin side, the Registrar, the
# JSON codec) is compiled into the plugin with the plugin's own compiler: in
# this repository from the berth-plugin-runtime object library, out of tree
# from the sources the SDK installs (share/berth/sdk-runtime). So are the
# SDK's utilities (files, JWTs, time, logging, child processes and URL
# parsing through the host: share/berth/sdk-support), unless STANDALONE says
# the plugin needs only the runtime. Either way the plugin links nothing of
# berth's: only C crosses to the host, whatever compiler built it, and the
# module is linked with --no-undefined so that nothing binds to the host's
# libraries by accident.
function(berth_plugin_runtime_target out)
  if(TARGET berth-plugin-runtime)
    set(${out} berth-plugin-runtime PARENT_SCOPE)
    return()
  endif()
  if(NOT TARGET berth-plugin-runtime-local)
    file(GLOB runtime_sources ${BERTH_SDK_RUNTIME_DIR}/*.cc)
    list(FILTER runtime_sources EXCLUDE REGEX "plugin_harness\\.cc$")
    add_library(berth-plugin-runtime-local OBJECT ${runtime_sources})
    set_target_properties(berth-plugin-runtime-local PROPERTIES
      POSITION_INDEPENDENT_CODE ON CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
    target_compile_options(berth-plugin-runtime-local PRIVATE -ffunction-sections -fdata-sections)
    target_include_directories(berth-plugin-runtime-local PUBLIC ${BERTH_SDK_INCLUDE_DIR})
    find_package(nlohmann_json 3 REQUIRED)
    find_package(OpenSSL REQUIRED)
    target_link_libraries(berth-plugin-runtime-local PUBLIC nlohmann_json::nlohmann_json OpenSSL::Crypto)
  endif()
  set(${out} berth-plugin-runtime-local PARENT_SCOPE)
endfunction()

function(berth_plugin_support_target out)
  if(TARGET berth-plugin-support)
    set(${out} berth-plugin-support PARENT_SCOPE)
    return()
  endif()
  if(NOT TARGET berth-plugin-support-local)
    berth_plugin_runtime_target(runtime)
    file(GLOB support_sources ${BERTH_SDK_SUPPORT_DIR}/*.cc)
    add_library(berth-plugin-support-local OBJECT ${support_sources})
    set_target_properties(berth-plugin-support-local PROPERTIES
      POSITION_INDEPENDENT_CODE ON CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
    target_compile_options(berth-plugin-support-local PRIVATE -ffunction-sections -fdata-sections)
    find_package(fmt REQUIRED)
    target_link_libraries(berth-plugin-support-local PUBLIC ${runtime} fmt::fmt)
  endif()
  set(${out} berth-plugin-support-local PARENT_SCOPE)
endfunction()

function(berth_add_plugin name)
  cmake_parse_arguments(ARG "ALLOW_BROKEN;NO_INSTALL;STANDALONE" "OUTPUT_DIR;TARGET" "SOURCES;LIBRARIES" ${ARGN})
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
  berth_plugin_runtime_target(runtime)
  # The runtime's objects come first, so that the plugin's code binds to its
  # own copy of them, never to libberth-sdk's.
  target_link_libraries(${ARG_TARGET} PRIVATE ${runtime})
  target_sources(${ARG_TARGET} PRIVATE $<TARGET_OBJECTS:${runtime}>)
  if(NOT ARG_STANDALONE)
    berth_plugin_support_target(support)
    target_link_libraries(${ARG_TARGET} PRIVATE ${support})
    target_sources(${ARG_TARGET} PRIVATE $<TARGET_OBJECTS:${support}>)
  endif()
  # --gc-sections: a plugin keeps only the SDK code it calls (smaller to
  # hash at every listing the cache cannot answer, and to map).
  target_compile_options(${ARG_TARGET} PRIVATE -ffunction-sections -fdata-sections)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND (BERTH_SANITIZE OR CMAKE_CXX_FLAGS MATCHES "-fsanitize="))
    # clang leaves the sanitizer runtime to the executable that loads the
    # module, so its symbols are undefined here by design (berth's sanitizer
    # build, or a plugin built out of tree with CXXFLAGS=-fsanitize=...);
    # plain builds keep the check.
    target_link_options(${ARG_TARGET} PRIVATE LINKER:--gc-sections)
  else()
    target_link_options(${ARG_TARGET} PRIVATE LINKER:--no-undefined LINKER:--gc-sections)
  endif()
  target_link_libraries(${ARG_TARGET} PRIVATE ${ARG_LIBRARIES})
  set_target_properties(${ARG_TARGET} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(DEFINED BERTH_PLUGIN_TO_LIBDIR AND NOT ARG_NO_INSTALL)
    # Bundled: built with the RUNPATH it is installed with, so that
    # `cmake --install` does not rewrite the file its manifest hashed.
    set_target_properties(${ARG_TARGET} PROPERTIES
      BUILD_WITH_INSTALL_RPATH ON INSTALL_RPATH "$ORIGIN/${BERTH_PLUGIN_TO_LIBDIR}")
    # berth's own: listed in the berth executable (cmake/BerthOwnPlugins.cmake).
    set_property(GLOBAL APPEND PROPERTY BERTH_OWN_PLUGINS "${name}")
    set_property(GLOBAL APPEND PROPERTY BERTH_OWN_PLUGIN_TARGETS "${ARG_TARGET}")
    set_property(GLOBAL APPEND PROPERTY BERTH_OWN_PLUGIN_MANIFESTS "${dir}/berth-plugin.json")
  endif()
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

# berth_add_plugin_test(NAME PLUGIN plugin SOURCES ...)
#
# A GoogleTest executable that loads the plugin's library in-process through
# berth::testing::PluginHarness (<berth/testing/plugin_harness.h>): it runs
# the plugin's commands and calls its objects with no berth binary (HTTP
# requests and registry operations through the host services are made by
# libberth-sdk's code). The library's path is BERTH_PLUGIN_LIBRARY.
function(berth_add_plugin_test name)
  cmake_parse_arguments(ARG "" "PLUGIN;TARGET" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_TARGET)
    set(ARG_TARGET berth-plugin-${ARG_PLUGIN})
  endif()
  berth_plugin_runtime_target(runtime)
  add_executable(${name} ${ARG_SOURCES})
  target_sources(${name} PRIVATE $<TARGET_OBJECTS:${runtime}>)
  if(TARGET berth-plugin-harness)
    target_sources(${name} PRIVATE $<TARGET_OBJECTS:berth-plugin-harness>)
  else()
    target_sources(${name} PRIVATE ${BERTH_SDK_RUNTIME_DIR}/plugin_harness.cc)
  endif()
  find_package(GTest REQUIRED)
  # Berth::sdk: the harness serves http.request and the registry services
  # with berth's implementations (C functions, so a plugin built with another
  # compiler links them too).
  target_link_libraries(${name} PRIVATE ${runtime} Berth::sdk GTest::gtest_main ${CMAKE_DL_LIBS} ${ARG_LIBRARIES})
  target_compile_definitions(${name} PRIVATE BERTH_PLUGIN_LIBRARY="$<TARGET_FILE:${ARG_TARGET}>")
  add_dependencies(${name} ${ARG_TARGET})
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST)
endfunction()
