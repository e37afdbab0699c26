// The http-fetch fixture in the SDK's test harness: the harness serves the
// host services http.request and oci.* with berth's own implementations, so a
// plugin's requests are real ones, here to servers on 127.0.0.1.
#include <gtest/gtest.h>

#include <cstdlib>

#include "berth/testing/plugin_harness.h"
#include "berth/util/fs.h"
#include "test_peer.h"

namespace {

using berth::testing::CommandRun;
using berth::testing::PluginHarness;
using berth::testing::StartRegistry;
using berth::testing::TestPeer;

class HttpFetchPluginTest : public ::testing::Test {
 protected:
  HttpFetchPluginTest() : server_("tests/peers/http/http_service_peer.py", {}), harness_(BERTH_PLUGIN_LIBRARY) {}
  std::string Url(const std::string& path) const { return server_.ready()["url"].get<std::string>() + path; }
  CommandRun Get(const std::string& path, std::map<std::string, std::vector<std::string>> args = {}) {
    args["url"] = {Url(path)};
    return harness_.Run("http-fetch get", args);
  }

  TestPeer server_;
  PluginHarness harness_;
};

TEST_F(HttpFetchPluginTest, RequestsGoThroughTheHarnessHttpService) {
  CommandRun run = Get("/echo");
  ASSERT_EQ(run.exit_code, 0) << run.error;
  EXPECT_EQ(run.results[0]["json"]["method"], "GET");
  EXPECT_EQ(run.results[0]["json"]["headers"]["Accept"], "application/json");

  run = Get("/flaky/harness?fail=1&retry_after=0", {{"attempts", {"2"}}, {"raw", {}}});
  ASSERT_EQ(run.exit_code, 0) << run.error;
  EXPECT_EQ(run.results[0]["status"], 200);
  EXPECT_EQ(run.results[0]["attempts"], 2);
}

TEST_F(HttpFetchPluginTest, StatusesAndTimeoutsBecomeBerthErrors) {
  CommandRun run = Get("/status/404");
  EXPECT_EQ(run.exit_code, 6);
  EXPECT_NE(run.error.find("GET " + Url("/status/404") + ": status 404 from the test server (HTTP 404)"), std::string::npos)
      << run.error;
  run = Get("/status/401");
  EXPECT_EQ(run.exit_code, 7);
  run = Get("/delay/3000", {{"timeout-ms", {"200"}}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.error.find("GET " + Url("/delay/3000") + ": timed out after 0.2 s"), std::string::npos) << run.error;
}

}  // namespace

// The registry services in the harness: the user's registries.yaml (here a
// private one naming the test's plain-HTTP registry) and no registry plugin.
TEST(HttpFetchRegistryTest, RegistryRequestsGoThroughTheHarnessRegistryServices) {
  auto registry = StartRegistry("plain");
  berth::TempDir config("http-fetch-registries");
  berth::WriteFileAtomic(config.path() / "registries.yaml",
                         "registries:\n  \"" + registry->host() + "\":\n    plain-http: true\n");
  ::setenv("BERTH_REGISTRIES_CONFIG", (config.path() / "registries.yaml").c_str(), 1);
  ::setenv("DOCKER_CONFIG", (config.path() / "docker").c_str(), 1);
  PluginHarness harness(BERTH_PLUGIN_LIBRARY);
  std::string image = registry->host() + "/fixture/app:v1";
  CommandRun run = harness.Run("http-fetch registry", {{"image", {image}}, {"layer", {"through the host\n"}}});
  ASSERT_EQ(run.exit_code, 0) << run.error;
  EXPECT_EQ(run.results[0]["layer"], "through the host\n");
  EXPECT_EQ(run.results[0]["head"], run.results[0]["digest"]);

  run = harness.Run("http-fetch registry", {{"image", {registry->host() + "/fixture/app:nope"}}});
  EXPECT_EQ(run.exit_code, 6);
  EXPECT_EQ(run.error.rfind("oci.manifest.get " + registry->host() + "/fixture/app: manifest nope failed: 404", 0), 0u) << run.error;
}
