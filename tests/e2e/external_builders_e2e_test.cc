// berth build and berth release with the external builders from a
// Dockerfile: the daemonless buildah and podman (vfs storage, chroot
// isolation), and the real docker CLI against a Docker Engine API (podman's,
// on a private socket: tests/peers/registry/engine_peer.py). The result is
// an OCI layout berth pushes itself, read back by skopeo. Each test keeps the
// builders' image store in its own directory, so the machine's store is
// never touched.
#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class ExternalBuildersE2eTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    fs::path store = berth_.home() / "containers";
    CreateDirectories(store);
    WriteFileAtomic(store / "storage.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + (store / "root").string() +
                                                "\"\nrunroot = \"" + (store / "run").string() + "\"\n");
    berth_.SetEnv("CONTAINERS_STORAGE_CONF", (store / "storage.conf").string());
    fs::path context = berth_.work_dir() / "app";
    CreateDirectories(context);
    WriteFileAtomic(context / "index.html", "<h1>built by " + GetParam() + "</h1>\n");
    WriteFileAtomic(context / "Dockerfile",
                    "FROM scratch\nCOPY index.html /srv/www/index.html\nENV GREETING=hello\nLABEL org.example.builder=" + GetParam() +
                        "\nEXPOSE 8080\n");
  }

  void WriteProject(const std::string& builder, const std::string& registry) {
    WriteFileAtomic(berth_.work_dir() / "berth.yaml", "service: hello\nimage: " + registry + "/team/hello\nbuild:\n  context: app\n"
                                                      "  builder: " + builder + "\n");
  }

  BerthRunner berth_;
};

TEST_P(ExternalBuildersE2eTest, BuildsALayoutThatBerthPushesAndSkopeoReads) {
  auto registry = StartRegistry("plain");
  WriteProject(GetParam(), registry->host());
  ProcessResult built = berth_.Run({"build", "--layout", "oci:out:hello", "-o", "json"});
  ASSERT_EQ(built.exit_code, 0) << Describe(built);
  json result = json::parse(built.stdout_data);
  EXPECT_EQ(result["builder"], GetParam());
  const std::string digest = result["digest"];

  // The layout holds the image the Dockerfile describes.
  ProcessResult inspected = RunProcess({"skopeo", "inspect", "--config", "oci:" + (berth_.work_dir() / "out").string() + ":hello"});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.stderr_data;
  json config = json::parse(inspected.stdout_data);
  EXPECT_EQ(config["config"]["Labels"]["org.example.builder"], GetParam());
  EXPECT_NE(config["config"]["Env"].dump().find("GREETING=hello"), std::string::npos) << config.dump();

  // berth pushes it, and the registry serves the same digest.
  json pushed = berth_.Json({"push", "oci:out:hello", registry->host() + "/team/hello:built", "--plain-http", registry->host(), "-q"});
  EXPECT_EQ(pushed["digest"], digest);
  ProcessResult remote = RunProcess({"skopeo", "inspect", "--tls-verify=false", "docker://" + registry->host() + "/team/hello:built"});
  ASSERT_EQ(remote.exit_code, 0) << remote.stderr_data;
  EXPECT_EQ(json::parse(remote.stdout_data)["Digest"], digest);

  // The whole release goes through the same builder.
  json released = berth_.Json({"release", "1.0.0", "--plain-http", registry->host()});
  EXPECT_EQ(released["builder"], GetParam());
  EXPECT_EQ(released["images"], json::array({registry->host() + "/team/hello:1.0.0"}));
}

// With a Dockerfile and no Docker engine answering, auto picks podman, then buildah.
TEST_P(ExternalBuildersE2eTest, AutoPicksTheDaemonlessBuilderWhenNoDockerAnswers) {
  WriteProject("auto", "127.0.0.1:1");
  // Only this builder on PATH (a directory of links), and no docker at all.
  fs::path bin = berth_.home() / "bin";
  CreateDirectories(bin);
  fs::create_symlink("/usr/bin/" + GetParam(), bin / GetParam());
  berth_.SetEnv("PATH", bin.string());
  json plan = berth_.Json({"release", "1.0.0", "--dry-run"});
  EXPECT_EQ(plan["builder"], GetParam());
}

INSTANTIATE_TEST_SUITE_P(Daemonless, ExternalBuildersE2eTest, ::testing::Values("buildah", "podman"),
                         [](const auto& info) { return info.param; });

// The docker CLI's default builder (no buildx, no OCI output): berth builds
// with `docker build`, takes the image with `docker save`, and copies it into
// the layout itself; .dockerignore is the engine's to honour, and the
// engine's copy of the image is removed afterwards.
TEST(DockerBuilderE2eTest, DockerBuildsThroughTheEngineAndBerthPushesWhatItSaved) {
  BerthRunner berth;
  TestPeer engine("engine_peer.py", {});
  const std::string docker_host = engine.ready()["docker_host"];
  berth.SetEnv("DOCKER_HOST", docker_host);
  auto registry = StartRegistry("plain");
  fs::path context = berth.work_dir() / "app";
  CreateDirectories(context);
  WriteFileAtomic(context / "index.html", "<h1>built by docker</h1>\n");
  WriteFileAtomic(context / ".env.local", "API_TOKEN=docker-builder-secret\n");
  WriteFileAtomic(context / ".dockerignore", ".env.local\n");
  WriteFileAtomic(context / "Dockerfile", "FROM scratch\nCOPY . /srv/www/\nLABEL org.example.builder=docker\n");
  WriteFileAtomic(berth.work_dir() / "berth.yaml", "service: hello\nimage: " + registry->host() + "/team/hello\nbuild:\n  context: app\n");

  // With a Dockerfile and an engine that answers, auto takes docker.
  EXPECT_EQ(berth.Json({"release", "1.0.0", "--dry-run"})["builder"], "docker");
  json built = berth.Json({"build", "--builder", "docker", "--layout", "oci:out:hello"});
  EXPECT_EQ(built["builder"], "docker");
  const std::string layout = "oci:" + (berth.work_dir() / "out").string() + ":hello";
  ProcessResult config = RunProcess({"skopeo", "inspect", "--config", layout});
  ASSERT_EQ(config.exit_code, 0) << Describe(config);
  EXPECT_EQ(json::parse(config.stdout_data)["config"]["Labels"]["org.example.builder"], "docker");

  // The one layer holds the context without what .dockerignore leaves out.
  fs::path unpacked = berth.home() / "unpacked";
  ProcessResult copied = RunProcess({"skopeo", "copy", layout, "dir:" + unpacked.string()});
  ASSERT_EQ(copied.exit_code, 0) << Describe(copied);
  json manifest = json::parse(ReadFile(unpacked / "manifest.json"));
  ASSERT_EQ(manifest["layers"].size(), 1u) << manifest;
  ProcessResult listed = RunProcess({"tar", "-tf", (unpacked / manifest["layers"][0]["digest"].get<std::string>().substr(7)).string()});
  ASSERT_EQ(listed.exit_code, 0) << Describe(listed);
  EXPECT_NE(listed.stdout_data.find("srv/www/index.html"), std::string::npos) << listed.stdout_data;
  EXPECT_EQ(listed.stdout_data.find(".env.local"), std::string::npos) << listed.stdout_data;

  json pushed = berth.Json({"push", "oci:out:hello", registry->host() + "/team/hello:built", "--plain-http", registry->host(), "-q"});
  EXPECT_EQ(pushed["digest"], built["digest"]);
  ProcessOptions with_engine;
  with_engine.env_set = {{"DOCKER_HOST", docker_host}};
  ProcessResult images = RunProcess({"docker", "images", "-q", "localhost/berth-build"}, with_engine);
  ASSERT_EQ(images.exit_code, 0) << Describe(images);
  EXPECT_EQ(images.stdout_data, "") << "the engine keeps no copy of the build";
  EXPECT_FALSE(fs::exists(berth.work_dir() / "out.docker-archive.tar"));
}

}  // namespace
}  // namespace berth::testing
