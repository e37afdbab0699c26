# Test code is built for a short build, not for speed: the suite's time goes
# to the berth processes, registries and stand-ins it starts, not to the test
# binaries' own code. So every GoogleTest executable, and the test-only
# libraries they share, is compiled at -O0 (a quarter less compile time than
# -O1 for a typical e2e test file); and in the sanitizer build it is
# left uninstrumented, since the sanitizers are there for the product code it
# exercises (libberth-sdk, the host, the plugins), which stays instrumented
# and is linked with the sanitizer runtime as before. On a 2-core machine this
# takes minutes off each build of the suite.
#
# Test code is also built as a unity build, eight files to a translation
# unit: each test file spends most of its compile time parsing and
# instantiating GoogleTest and nlohmann/json, which a unity unit does once
# for eight (about 630 -> 240 CPU-seconds per build of the suite). So test
# files of one target must not define the same names in their anonymous
# namespaces; shared helpers live in a header (tests/e2e/fixture_plugins.h).

set(BERTH_TEST_SUPPORT_LIBRARIES berth_test_support berth-kube-standin)

function(berth_collect_targets directory out)
  get_property(targets DIRECTORY "${directory}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirectories DIRECTORY "${directory}" PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    berth_collect_targets("${subdirectory}" more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(berth_build_test_code_quickly)
  berth_collect_targets("${PROJECT_SOURCE_DIR}" targets)
  foreach(target IN LISTS targets)
    get_target_property(libraries ${target} LINK_LIBRARIES)
    if(target IN_LIST BERTH_TEST_SUPPORT_LIBRARIES OR "GTest::gtest_main" IN_LIST libraries)
      target_compile_options(${target} PRIVATE -O0)
      set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
      if(BERTH_SANITIZE)
        target_compile_options(${target} PRIVATE -fno-sanitize=all)
      endif()
    endif()
  endforeach()
endfunction()
