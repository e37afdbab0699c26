// The C boundary's promises, with real plugins built three ways: in C against
// the frozen first headers (tests/abi/frozen/2.0), with clang and libc++, and
// with this build's gcc. Each loads in this host and does real work through
// it: a command's results, an object's methods, errors named by plugin.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "fixture_plugins.h"
#include "test_peer.h"

namespace berth::testing {
namespace {


TEST(PluginAbiE2eTest, APluginOfTheFrozenFirstHeadersWorks) {
  BerthRunner berth;
  berth.SetEnv("BERTH_PLUGIN_PATH", (kFixtures / "frozen").string());
  auto listed = berth.Json({"plugin", "info", "frozen", "--load"});
  EXPECT_EQ(listed["state"], "ok") << listed.dump();
  EXPECT_EQ(listed["abi_major"], 2);
  EXPECT_EQ(listed["abi_minor"], 0);
  auto result = berth.Run({"frozen", "hello", "world", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  auto json = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(json["greeting"], "hello world");
  // What the host offers: a minor version at least the plugin's.
  EXPECT_GE(json["abi_minor_of_host"].get<int>(), 0);
}

#if BERTH_HAVE_LIBCXX_FIXTURE
TEST(PluginAbiE2eTest, APluginBuiltWithClangAndLibcxxWorksInThisHost) {
  BerthRunner berth;
  berth.SetEnv("BERTH_PLUGIN_PATH", (kFixtures / "libcxx").string());
  auto info = berth.Json({"plugin", "info", "libcxx", "--load"});
  EXPECT_EQ(info["state"], "ok") << info.dump();
  EXPECT_NE(info["built_with"].get<std::string>().find("libc++"), std::string::npos) << info.dump();
  auto result = berth.Run({"libcxx", "info", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["standard_library"], "libc++");
  // An object made with libc++, its methods called by the host, the secret
  // value travelling as JSON text and never shown.
  result = berth.Run({"secrets", "set", "dev", "API_KEY", "--store", "libcxx-memory"}, "correct-horse-battery-staple\n");
  EXPECT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(result.stdout_data.find("correct-horse"), std::string::npos);
  // A standard-library exception thrown in libc++ code comes back as one
  // line naming the plugin and the command.
  result = berth.Run({"libcxx", "fail"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.stderr_data.rfind("error: libcxx fail: ", 0), 0u) << result.stderr_data;
}
#endif

}  // namespace
}  // namespace berth::testing

namespace berth::testing {
namespace {

// A plugin target whose deployment comes up unhealthy and says nothing:
// berth still says what failed, on stderr, with exit 8.
TEST(PluginAbiE2eTest, AnUnhealthyDeployOfAPluginTargetSaysWhatFailed) {
  BerthRunner berth;
  berth.SetEnv("BERTH_PLUGIN_PATH", (kFixtures / "test-target").string());
  std::filesystem::path state = berth.work_dir() / "deploys.json";
  WriteFileAtomic(berth.work_dir() / "berth.yaml",
                  "service: shop\nimage: 127.0.0.1:5000/shop\nenvironments:\n  staging:\n    target:\n      plugin: test-target\n"
                  "      state: " + state.string() + "\n      unhealthy_versions: [\"2.0.0\"]\n    health:\n      path: /healthz\n");
  auto result = berth.Run({"deploy", "staging", "--image", "127.0.0.1:5000/shop@sha256:" + std::string(64, 'a'), "--version",
                           "2.0.0", "-o", "json"});
  EXPECT_EQ(result.exit_code, 8) << Describe(result);
  EXPECT_EQ(result.stderr_data,
            "error: staging: target test-target reports the deployment unhealthy without a reason (see berth status staging)\n");
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["healthy"], false);
}

}  // namespace
}  // namespace berth::testing

namespace berth::testing {
namespace {

// A plugin without libcurl (STANDALONE: the C table only) makes its requests
// through berth's http.request service; HTTP statuses and timeouts come back
// as berth's exit codes and one-line messages naming the call.
TEST(PluginAbiE2eTest, APluginMakesHttpRequestsThroughBerth) {
  TestPeer server("tests/peers/http/http_service_peer.py", {});
  const std::string base = server.ready()["url"].get<std::string>();
  BerthRunner berth;
  berth.SetEnv("BERTH_PLUGIN_PATH", (kFixtures / "http-fetch").string());
  auto result = berth.Run({"http-fetch", "get", base + "/echo", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["json"]["method"], "GET");

  result = berth.Run({"http-fetch", "get", base + "/status/404?key=query-secret"});
  EXPECT_EQ(result.exit_code, 6) << Describe(result);
  EXPECT_EQ(result.stderr_data, "error: http-fetch get: GET " + base + "/status/404: status 404 from the test server (HTTP 404)\n");

  result = berth.Run({"http-fetch", "get", base + "/delay/3000", "--timeout-ms", "200"});
  EXPECT_EQ(result.exit_code, 1) << Describe(result);
  EXPECT_EQ(result.stderr_data, "error: http-fetch get: GET " + base + "/delay/3000: timed out after 0.2 s\n");
}

}  // namespace
}  // namespace berth::testing
