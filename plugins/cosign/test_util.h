// Helpers shared by the cosign plugin's tests.
#ifndef BERTH_PLUGINS_COSIGN_TEST_UTIL_H_
#define BERTH_PLUGINS_COSIGN_TEST_UTIL_H_

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "berth/util/fs.h"

namespace berth::cosign::testing {

inline std::filesystem::path TestData(const std::string& name) { return std::filesystem::path(COSIGN_TESTDATA) / name; }
inline std::string ReadTestData(const std::string& name) { return ReadFile(TestData(name)); }

// Sets (or unsets, with nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) {
      setenv(name_.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace berth::cosign::testing

#endif  // BERTH_PLUGINS_COSIGN_TEST_UTIL_H_
