// Builds that cannot leak (#15 item 8): berth's own builder packs a context
// holding .env.local, .asap-config and cosign.key only as .dockerignore and
// build.include-secrets say, -v lists what it packed, and `auto` never falls
// back to it for a project with a Dockerfile. The image is read back from
// the OCI layout berth wrote, its layer listed by tar.
#include <gtest/gtest.h>

#include <algorithm>

#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class BuilderHygieneE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    berth_.SetEnv("SOURCE_DATE_EPOCH", "1700000000");
    context_ = berth_.work_dir() / "app";
    CreateDirectories(context_ / "static");
    WriteFileAtomic(context_ / "index.html", "<h1>hello</h1>\n");
    WriteFileAtomic(context_ / "static" / "site.css", "h1{}\n");
    WriteFileAtomic(context_ / ".env.local", "DATABASE_PASSWORD=hunter2\n", 0600);
    WriteFileAtomic(context_ / ".asap-config", R"({"issuer":"svc","keyId":"svc/1","privateKey":"-----BEGIN PRIVATE KEY-----"})", 0600);
    WriteFileAtomic(context_ / "cosign.key", "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabc\n", 0600);
  }

  void WriteProject(const std::string& builder, const std::string& extra = "") {
    WriteFileAtomic(berth_.work_dir() / "berth.yaml", "service: hello\nimage: 127.0.0.1:1/team/hello\nbuild:\n  context: app\n"
                                                      "  builder: " + builder + "\n" + extra);
  }

  // No docker, podman or buildah: PATH is an empty directory.
  void HideExternalBuilders() {
    fs::path bin = berth_.home() / "empty-bin";
    CreateDirectories(bin);
    berth_.SetEnv("PATH", bin.string());
  }

  // The tar entries of the image's last layer (the one berth's builder made).
  std::vector<std::string> LayerEntries(const std::string& layout) {
    fs::path root = berth_.work_dir() / layout;
    json index = json::parse(ReadFile(root / "index.json"));
    std::string manifest_digest = index["manifests"][0]["digest"];
    json manifest = json::parse(ReadFile(root / "blobs" / "sha256" / manifest_digest.substr(7)));
    std::string layer_digest = manifest["layers"].back()["digest"];
    ProcessResult listed = RunProcess({"tar", "-tzf", (root / "blobs" / "sha256" / layer_digest.substr(7)).string()});
    EXPECT_EQ(listed.exit_code, 0) << listed.stderr_data;
    std::vector<std::string> entries;
    std::string line;
    for (char c : listed.stdout_data) {
      if (c != '\n') {
        line += c;
      } else {
        entries.push_back(line);
        line.clear();
      }
    }
    return entries;
  }

  BerthRunner berth_;
  fs::path context_;
};

TEST_F(BuilderHygieneE2eTest, RefusesAContextWithSecretsNamingTheFirst) {
  WriteProject("berth");
  ProcessResult built = berth_.Run({"build", "--layout", "oci:out:hello"});
  EXPECT_NE(built.exit_code, 0);
  EXPECT_NE(built.stderr_data.find("build context file .asap-config looks like a secret (an ASAP private key): leave it out with "
                                   ".dockerignore, or list it under build.include-secrets to pack it deliberately"),
            std::string::npos)
      << built.stderr_data;
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "out"));
}

TEST_F(BuilderHygieneE2eTest, DockerignoreLeavesThemOutAndVerboseListsWhatWasPacked) {
  WriteProject("auto");
  WriteFileAtomic(context_ / ".dockerignore", ".env*\n.asap-config\n*.key\n.dockerignore\n");
  ProcessResult built = berth_.Run({"build", "--layout", "oci:out:hello", "-v", "-o", "json"});
  ASSERT_EQ(built.exit_code, 0) << built.stderr_data;
  EXPECT_EQ(json::parse(built.stdout_data)["builder"], "berth");
  std::vector<std::string> entries = LayerEntries("out");
  EXPECT_EQ(entries, (std::vector<std::string>{"index.html", "static/", "static/site.css"}));
  for (const std::string& packed : {"packed /index.html", "packed /static/site.css", "packed 3 entries from the build context"}) {
    EXPECT_NE(built.stderr_data.find(packed), std::string::npos) << packed << " in " << built.stderr_data;
  }
  EXPECT_EQ(built.stderr_data.find("cosign.key"), std::string::npos) << built.stderr_data;
}

TEST_F(BuilderHygieneE2eTest, IncludeSecretsPacksOnlyWhatItNames) {
  WriteProject("berth", "  include-secrets: [.env.local]\n");
  WriteFileAtomic(context_ / ".dockerignore", ".asap-config\ncosign.key\n");
  // A cloned repository must not pack the user's own .env.local into an
  // image it then pushes: the setting needs the user's trust.
  ProcessResult untrusted = berth_.Run({"build", "--layout", "oci:out:hello"});
  EXPECT_EQ(untrusted.exit_code, 3) << untrusted.stderr_data;
  EXPECT_NE(untrusted.stderr_data.find("build.include-secrets names a credential file; this project is not trusted"),
            std::string::npos)
      << untrusted.stderr_data;
  ProcessResult built = berth_.Run({"--trust", "build", "--layout", "oci:out:hello"});
  ASSERT_EQ(built.exit_code, 0) << built.stderr_data;
  std::vector<std::string> entries = LayerEntries("out");
  EXPECT_EQ(entries, (std::vector<std::string>{".dockerignore", ".env.local", "index.html", "static/", "static/site.css"}));
}

TEST_F(BuilderHygieneE2eTest, AutoWithADockerfileAndNoBuilderToRunItIsRefused) {
  WriteProject("auto");
  WriteFileAtomic(context_ / "Dockerfile", "FROM scratch\nCOPY index.html /\n");
  HideExternalBuilders();
  ProcessResult built = berth_.Run({"build", "--layout", "oci:out:hello"});
  EXPECT_NE(built.exit_code, 0);
  const std::string expected = "no installed builder can build " + (context_ / "Dockerfile").string() +
                               " (berth: it does not run a Dockerfile (name it in build.builder to build without one); ";
  EXPECT_NE(built.stderr_data.find(expected), std::string::npos) << built.stderr_data;
  for (const std::string& tried : {"docker: docker is not on PATH", "buildx: docker is not on PATH", "podman: podman is not on PATH", "buildah: buildah is not on PATH"}) {
    EXPECT_NE(built.stderr_data.find(tried), std::string::npos) << tried << " in " << built.stderr_data;
  }
  EXPECT_EQ(std::count(built.stderr_data.begin(), built.stderr_data.end(), '\n'), 1) << built.stderr_data;
  EXPECT_FALSE(fs::exists(berth_.work_dir() / "out"));
  // The release plan refuses the same way, before anything moves.
  ProcessResult plan = berth_.Run({"release", "1.0.0", "--dry-run", "--allow-dirty"});
  EXPECT_NE(plan.exit_code, 0);
  EXPECT_NE(plan.stderr_data.find(expected), std::string::npos) << plan.stderr_data;
}

}  // namespace
}  // namespace berth::testing
