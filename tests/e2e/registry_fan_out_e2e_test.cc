// berth push/copy to several destinations in one run, against real
// docker-registry instances: each source blob is fetched from the source
// registry once (counted in its own request log), the live destinations
// complete with the same digest, a stopped one is reported on its own line.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {

// Blob GETs per digest in docker-registry's log (one "response completed"
// line per request).
std::map<std::string, int> BlobGets(const std::string& log_file, const std::string& repository) {
  std::ifstream in(log_file);
  std::map<std::string, int> gets;
  const std::regex line_pattern("http.request.method=GET .*http.request.uri=\"/v2/" + repository + "/blobs/(sha256:[0-9a-f]{64})\"");
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (line.find("response completed") != std::string::npos && std::regex_search(line, match, line_pattern)) ++gets[match[1]];
  }
  return gets;
}

std::vector<std::string> ErrorLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("error: ")) lines.push_back(line);
  }
  return lines;
}

TEST(RegistryFanOutE2eTest, CopyReadsEachBlobOnceAndReportsTheStoppedDestination) {
  BerthRunner berth;
  TestLayout layout(berth.work_dir() / "img");
  auto image = layout.AddImage("linux/amd64", {2u << 20, 300000, 5000}, 91);
  layout.Tag(image, "v1");
  auto source = StartRegistry("plain");
  auto first = StartRegistry("plain");
  auto second = StartRegistry("plain");
  std::string dead_host;
  {
    auto dead = StartRegistry("plain");
    dead_host = dead->host();
  }  // Stopped: connections to it are refused.
  WriteFileAtomic(berth.home() / "config" / "berth" / "registries.yaml",
                  "registries:\n  \"" + dead_host + "\":\n    plain-http: true\n    retries: 1\n    retry-backoff-ms: 20\n");
  auto plain = [&](std::vector<std::string> args) {
    for (const auto& host : {source->host(), first->host(), second->host()}) {
      args.push_back("--plain-http");
      args.push_back(host);
    }
    return args;
  };
  auto pushed = berth.Json(plain({"push", "oci:img:v1", source->host() + "/team/app:1.0"}));
  ASSERT_EQ(pushed["digest"], image.digest.str());

  auto result = berth.Run(plain({"-o", "json", "copy", source->host() + "/team/app:1.0", first->host() + "/team/app:1.0",
                                 dead_host + "/team/app:1.0", second->host() + "/mirror/app:2.0"}));
  EXPECT_EQ(result.exit_code, 1) << Describe(result);
  auto errors = ErrorLines(result.stderr_data);
  ASSERT_EQ(errors.size(), 1u) << result.stderr_data;
  EXPECT_EQ(errors[0].find("error: copy " + dead_host + "/team/app: "), 0u) << errors[0];
  auto data = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(data["source"], source->host() + "/team/app:1.0");
  EXPECT_EQ(data["digest"], image.digest.str());
  ASSERT_EQ(data["destinations"].size(), 3u);
  EXPECT_EQ(data["destinations"][0]["status"], "ok");
  EXPECT_EQ(data["destinations"][0]["blobs"]["uploaded"], 4);
  EXPECT_EQ(data["destinations"][1]["status"], "failed");
  EXPECT_EQ(data["destinations"][1]["destination"], dead_host + "/team/app:1.0");
  EXPECT_EQ(data["destinations"][1]["exitCode"], 1);
  EXPECT_EQ(data["destinations"][2]["status"], "ok");
  EXPECT_EQ(data["blobsRead"], 4);

  // The source registry served each blob once, for both live destinations.
  auto gets = BlobGets(source->ready()["log_file"].get<std::string>(), "team/app");
  EXPECT_EQ(gets.size(), 4u);
  for (const auto& [digest, count] : gets) EXPECT_EQ(count, 1) << digest;

  // Both live destinations hold the image, verified by pulling it back.
  for (const std::string& reference : {first->host() + "/team/app:1.0", second->host() + "/mirror/app:2.0"}) {
    auto pulled = berth.Json(plain({"pull", reference, "oci:check:" + std::to_string(reference.size())}));
    EXPECT_EQ(pulled["digest"], image.digest.str()) << reference;
  }
}

TEST(RegistryFanOutE2eTest, PushToSeveralRegistriesAndTableOutput) {
  BerthRunner berth;
  TestLayout layout(berth.work_dir() / "img");
  auto image = layout.AddImage("linux/amd64", {100000, 7000}, 92);
  layout.Tag(image, "v1");
  auto first = StartRegistry("plain");
  auto second = StartRegistry("plain");
  std::vector<std::string> flags = {"--plain-http", first->host(), "--plain-http", second->host()};
  auto args = std::vector<std::string>{"push", "oci:img:v1", first->host() + "/a/app:1", second->host() + "/b/app:1"};
  args.insert(args.end(), flags.begin(), flags.end());
  auto table = berth.Run(args);
  ASSERT_EQ(table.exit_code, 0) << Describe(table);
  EXPECT_NE(table.stdout_data.find(first->host() + "/a/app:1"), std::string::npos) << table.stdout_data;
  EXPECT_NE(table.stdout_data.find("3 copied"), std::string::npos) << table.stdout_data;
  // Progress: a line per blob and destination on stderr (not a terminal: no redrawn status line).
  EXPECT_EQ(std::count(table.stderr_data.begin(), table.stderr_data.end(), '\n'), 6) << table.stderr_data;
  EXPECT_EQ(table.stderr_data.find('\r'), std::string::npos) << table.stderr_data;
  EXPECT_NE(table.stderr_data.find(first->host() + "/a/app:1: sha256:"), std::string::npos) << table.stderr_data;
  EXPECT_NE(table.stderr_data.find(second->host() + "/b/app:1: sha256:"), std::string::npos) << table.stderr_data;
  EXPECT_NE(table.stderr_data.find(" copied, "), std::string::npos) << table.stderr_data;
  EXPECT_EQ(table.stdout_data.find("sha256:" + image.digest.hex().substr(0, 12) + " copied"), std::string::npos);
  auto quiet_args = args;
  quiet_args.insert(quiet_args.begin(), "-q");
  auto quiet = berth.Run(quiet_args);
  ASSERT_EQ(quiet.exit_code, 0) << Describe(quiet);
  EXPECT_EQ(quiet.stderr_data, "");
  auto again = berth.Json(args);
  EXPECT_EQ(again["destinations"][0]["blobs"]["skipped"], 3);
  EXPECT_EQ(again["destinations"][1]["blobs"]["skipped"], 3);
  EXPECT_EQ(again["blobsRead"], 0);
  auto twice = berth.Run({"push", "oci:img:v1", first->host() + "/a/app:1", first->host() + "/a/app:1"});
  EXPECT_EQ(twice.exit_code, 2) << Describe(twice);
  EXPECT_EQ(twice.stderr_data, "error: push: destination " + first->host() + "/a/app:1 is given twice\n");
}

}  // namespace
}  // namespace berth::testing
