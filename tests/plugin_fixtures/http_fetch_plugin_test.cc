// The http-fetch fixture in the SDK's test harness: the harness serves the
// host service http.request with berth's own implementation, so a plugin's
// requests are real ones, here to a server on 127.0.0.1.
#include <gtest/gtest.h>

#include "berth/testing/plugin_harness.h"
#include "test_peer.h"

namespace {

using berth::testing::CommandRun;
using berth::testing::PluginHarness;
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
