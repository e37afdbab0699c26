// The micros plugin's Registry against the real docker-registry with TLS and
// Basic auth, standing in for Artifactory (docker.atl-paas.net speaks the same
// protocol): registries.yaml routes the host to `plugin: micros`, which
// supplies the staff id and identity token from the environment.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth_runner.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {

TEST(MicrosRegistryE2eTest, PushesWithStaffIdAndIdentityToken) {
  BerthRunner berth;
  berth.SetEnv("ARTIFACTORY_USER", "");
  berth.SetEnv("ARTIFACTORY_TOKEN", "");
  berth.SetEnv("DOCKER_AUTH_CONFIG", "");
  berth.SetEnv("REGISTRY_AUTH_FILE", (berth.home() / "containers-auth.json").string());
  auto registry = StartRegistry("tls-basic");
  const std::string host = registry->host();
  const std::string token = registry->ready()["users"]["alice"].get<std::string>();
  TestLayout layout(berth.work_dir() / "img");
  oci::Descriptor image = layout.AddImage("linux/amd64", {20000}, 61);
  layout.Tag(image, "v1");
  WriteFileAtomic(berth.home() / "config" / "berth" / "registries.yaml",
                  "registries:\n  \"" + host + "\":\n    ca-file: " + registry->ready()["ca_file"].get<std::string>() +
                      "\n    plugin: micros\n");
  const std::string target = host + "/team/shop-api:app-1.4.2";

  auto refused = berth.Run({"push", "oci:img:v1", target});
  EXPECT_EQ(refused.exit_code, 7) << Describe(refused);

  berth.SetEnv("ARTIFACTORY_USER", "alice");
  berth.SetEnv("ARTIFACTORY_TOKEN", "not-" + token);
  refused = berth.Run({"push", "oci:img:v1", target});
  EXPECT_EQ(refused.exit_code, 7) << Describe(refused);

  berth.SetEnv("ARTIFACTORY_TOKEN", token);
  auto pushed = berth.Run({"push", "oci:img:v1", target, "-o", "json", "-vvv"});
  ASSERT_EQ(pushed.exit_code, 0) << Describe(pushed);
  EXPECT_EQ(nlohmann::json::parse(pushed.stdout_data)["digest"], image.digest.str());
  EXPECT_NE(pushed.stderr_data.find("registry " + host + " is served by plugin micros"), std::string::npos) << pushed.stderr_data;
  EXPECT_EQ(pushed.stderr_data.find(token), std::string::npos);
  EXPECT_EQ(berth.Json({"digest", target})["digest"], image.digest.str());  // Read back with the same credentials.

  auto bad_tag = berth.Run({"push", "oci:img:v1", host + "/team/shop-api:app-"});
  EXPECT_EQ(bad_tag.exit_code, 3);
  EXPECT_EQ(bad_tag.stderr_data, "error: micros: tag 'app-' is in the app-<version> namespace but has no version\n");

  auto who = berth.Json({"micros", "whoami", "--registry", host});
  EXPECT_EQ(who, nlohmann::json({{"registry", host}, {"username", "alice"}, {"source", "environment (ARTIFACTORY_USER, ARTIFACTORY_TOKEN)"}}));
}

}  // namespace
}  // namespace berth::testing
