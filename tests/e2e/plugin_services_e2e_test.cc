// The SDK's utilities in a plugin that links nothing of berth's (the echo
// fixture: runtime and support objects only): child processes started by the
// host through process.run, log lines written by the host, and a private
// temporary file the host's interrupt handler removes.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "fixture_plugins.h"
#include "child_process.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;


TEST(PluginServicesE2eTest, APluginRunsAProgramThroughTheHost) {
  BerthRunner berth;
  berth.SetEnv("BERTH_PLUGIN_PATH", (kFixtures / "echo").string());
  auto result = berth.Run({"echo", "run", "tr a-z A-Z; echo oops >&2; exit 4", "-o", "json"}, "quiet words");
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  auto reply = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(reply["exit_code"], 4);
  EXPECT_EQ(reply["stdout"], "QUIET WORDS");
  EXPECT_EQ(reply["stderr"], "oops\n");
}

// The host refuses the argv, whichever plugin registered the secret; the
// plugin's own log line reaches stderr through the host, redacted.
TEST(PluginServicesE2eTest, AProgramNeverGetsASecretInItsArguments) {
  BerthRunner berth;
  berth.SetEnv("BERTH_PLUGIN_PATH", (kFixtures / "echo").string());
  const std::string secret = "s3cr3t-value-for-argv";
  auto result = berth.Run({"echo", "run", "echo " + secret, "--secret", secret});
  EXPECT_EQ(result.exit_code, 3) << Describe(result);
  EXPECT_EQ(result.stderr_data,
            "warning: echo run: registered ***\n"
            "error: echo run: refusing to run sh: argument 2 holds a secret (secrets go to a program on stdin or in a "
            "0600 file)\n");
}

TEST(PluginServicesE2eTest, AnInterruptRemovesAPluginsPrivateTemporaryFile) {
  BerthRunner berth;
  berth.SetEnv("BERTH_PLUGIN_PATH", (kFixtures / "echo").string());
  const fs::path temp = berth.home() / "tmp";
  fs::create_directories(temp);
  berth.SetEnv("TMPDIR", temp.string());
  auto held = StartBerth(berth, {"echo", "hold-secret-file"}, "held");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (fs::is_empty(temp) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_FALSE(fs::is_empty(temp)) << "the plugin wrote no file; stderr: " << ReadFile(berth.home() / "held.err");
  const fs::path file = fs::directory_iterator(temp)->path();
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);

  held->Signal(SIGINT);
  EXPECT_EQ(held->Wait(std::chrono::seconds(10)), 130);
  EXPECT_FALSE(fs::exists(file));
}

}  // namespace
}  // namespace berth::testing
