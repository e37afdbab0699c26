// Where CMake builds the fixture plugins (tests/plugin_fixtures), for the
// e2e tests that install or load them; one definition for every file of a
// target, since a unity build compiles several of them as one.
#ifndef BERTH_TESTS_E2E_FIXTURE_PLUGINS_H_
#define BERTH_TESTS_E2E_FIXTURE_PLUGINS_H_

#include <filesystem>

namespace berth::testing {

inline const std::filesystem::path kFixtures = BERTH_FIXTURE_PLUGIN_DIR;

}  // namespace berth::testing

#endif  // BERTH_TESTS_E2E_FIXTURE_PLUGINS_H_
