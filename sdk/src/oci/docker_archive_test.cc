// Malformed manifest.json entries in docker-archive tarballs, found by
// tests/fuzz/fuzz_docker_archive: each must be a one-line refusal.
#include <gtest/gtest.h>

#include "berth/oci/image.h"
#include "berth/oci/tar.h"
#include "berth/util/fs.h"

namespace berth::oci {
namespace {

std::string Refusal(const std::string& manifest_json, const std::string& name = "") {
  TempDir dir;
  auto file = dir.path() / "image.tar";
  {
    TarWriter tar(file);
    tar.AddFile("manifest.json", manifest_json);
    tar.AddFile("config.json", "{}");
    tar.Finish();
  }
  try {
    OpenDockerArchiveSource(ImageLocation::Parse("docker-archive:" + file.string() + name))->TopManifest();
  } catch (const Error& e) {
    std::string what = e.what();
    return what.substr(what.find(": ") + 2);
  }
  return "accepted";
}

TEST(DockerArchiveTest, MalformedEntriesAreRefusedNotReadPastTheirEnd) {
  // An entry without Config used to be indexed with a const operator[], which reads past the map.
  EXPECT_EQ(Refusal(R"([{}])"), "manifest.json entry lacks Config or Layers");
  EXPECT_EQ(Refusal(R"([5])"), "manifest.json entry lacks Config or Layers");
  EXPECT_EQ(Refusal(R"([{"Config": "config.json"}])"), "manifest.json entry lacks Config or Layers");
  EXPECT_EQ(Refusal(R"([{"Config": "config.json", "Layers": [3]}])"), "manifest.json Layers holds a non-string");
  EXPECT_EQ(Refusal(R"([5, {"RepoTags": 7}, {"RepoTags": ["example.com/app:v1"]}])", ":example.com/app:v1"),
            "manifest.json entry lacks Config or Layers");
}

}  // namespace
}  // namespace berth::oci
