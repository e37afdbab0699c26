// Plugin signing keys for tests: an Ed25519 pair made by the openssl CLI,
// as plugin authors make one (docs/plugin-sdk.md#signing-a-plugin).
#ifndef BERTH_TESTS_SUPPORT_SIGNING_KEYS_H_
#define BERTH_TESTS_SUPPORT_SIGNING_KEYS_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "berth/util/process.h"

namespace berth::testing {

// DIR/NAME.key and DIR/NAME.pub.
inline void MakePluginSigningKey(const std::filesystem::path& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  const std::string key = (dir / (name + ".key")).string();
  for (const std::vector<std::string>& argv : {std::vector<std::string>{"openssl", "genpkey", "-algorithm", "ed25519", "-out", key},
                                               {"openssl", "pkey", "-in", key, "-pubout", "-out", (dir / (name + ".pub")).string()}}) {
    ProcessResult result = RunProcess(argv);
    ASSERT_EQ(result.exit_code, 0) << result.stderr_data;
  }
}

}  // namespace berth::testing

#endif  // BERTH_TESTS_SUPPORT_SIGNING_KEYS_H_
