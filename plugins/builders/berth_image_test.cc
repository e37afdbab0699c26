#include "berth_image.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "berth/error.h"
#include "berth/oci/image.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "reproducible_layer.h"

namespace berth::builders {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class ImageBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    context_ = temp_.path() / "context";
    CreateDirectories(context_ / "static" / "css");
    WriteFileAtomic(context_ / "static" / "index.html", "<h1>hello</h1>\n", 0600);
    WriteFileAtomic(context_ / "static" / "css" / "site.css", "h1{}\n", 0644);
    WriteFileAtomic(context_ / "serve.sh", "#!/bin/sh\nexec httpd\n", 0700);
    fs::create_symlink("static/index.html", context_ / "index.html");
    CreateDirectories(context_ / ".git");
    WriteFileAtomic(context_ / ".git" / "HEAD", "ref: refs/heads/main\n", 0644);
  }

  BuiltImage Build(const std::string& name, const json& settings = json::object(), const std::string& base = "scratch") {
    ImageSpec spec;
    spec.context = context_;
    spec.settings = settings;
    spec.base = base;
    spec.mtime = 1700000000;
    return BuildImage(spec, oci::ImageLocation::Parse("oci:" + (temp_.path() / name).string() + ":v1"));
  }

  json ReadConfig(const BuiltImage& image) {
    return json::parse(ReadFile(fs::path(image.output.path) / "blobs" / "sha256" / image.config_digest.hex()));
  }

  TempDir temp_{"berth-builder-test"};
  fs::path context_;
};

TEST_F(ImageBuilderTest, SameInputGivesSameDigest) {
  BuiltImage first = Build("one");
  BuiltImage second = Build("two");
  EXPECT_EQ(first.manifest_digest, second.manifest_digest);
  EXPECT_EQ(first.layer_digest, second.layer_digest);
}

TEST_F(ImageBuilderTest, TouchedMtimesAndModesDoNotChangeTheDigest) {
  BuiltImage first = Build("one");
  auto later = fs::file_time_type::clock::now() + std::chrono::hours(5);
  for (const auto& entry : fs::recursive_directory_iterator(context_)) {
    if (!entry.is_symlink()) fs::last_write_time(entry.path(), later);
  }
  ::chmod((context_ / "static" / "index.html").c_str(), 0664);  // Another umask.
  BuiltImage second = Build("two");
  EXPECT_EQ(first.manifest_digest, second.manifest_digest);
}

TEST_F(ImageBuilderTest, ChangedContentChangesTheDigest) {
  BuiltImage first = Build("one");
  WriteFileAtomic(context_ / "static" / "index.html", "<h1>hello again</h1>\n", 0644);
  BuiltImage second = Build("two");
  EXPECT_NE(first.layer_digest, second.layer_digest);
  EXPECT_NE(first.manifest_digest, second.manifest_digest);
}

TEST_F(ImageBuilderTest, LayerIsANormalisedTarThatGnuTarReads) {
  BuiltImage image = Build("one", {{"dest", "/srv/www"}});
  fs::path layer = fs::path(image.output.path) / "blobs" / "sha256" / image.layer_digest.hex();
  // gzip header: no mtime (bytes 4..7), no FNAME flag.
  std::string bytes = ReadFile(layer);
  ASSERT_GT(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(bytes[3] & 0x08, 0);
  EXPECT_EQ(bytes.substr(4, 4), std::string(4, '\0'));
  EXPECT_EQ(image.layer_digest, Digest::Of(bytes));

  ProcessOptions utc;
  utc.env_set = {{"TZ", "UTC"}};
  ProcessResult listing = RunProcess({"tar", "--numeric-owner", "--full-time", "-tvzf", layer.string()}, utc);
  ASSERT_EQ(listing.exit_code, 0) << listing.stderr_data;
  EXPECT_EQ(listing.stdout_data,
            "drwxr-xr-x 0/0               0 2023-11-14 22:13:20 srv/\n"
            "drwxr-xr-x 0/0               0 2023-11-14 22:13:20 srv/www/\n"
            "lrwxrwxrwx 0/0               0 2023-11-14 22:13:20 srv/www/index.html -> static/index.html\n"
            "-rwxr-xr-x 0/0              21 2023-11-14 22:13:20 srv/www/serve.sh\n"
            "drwxr-xr-x 0/0               0 2023-11-14 22:13:20 srv/www/static/\n"
            "drwxr-xr-x 0/0               0 2023-11-14 22:13:20 srv/www/static/css/\n"
            "-rw-r--r-- 0/0               5 2023-11-14 22:13:20 srv/www/static/css/site.css\n"
            "-rw-r--r-- 0/0              15 2023-11-14 22:13:20 srv/www/static/index.html\n");
  // The diff id is the uncompressed tar's digest.
  ProcessResult raw = RunProcess({"gzip", "-dc", layer.string()});
  ASSERT_EQ(raw.exit_code, 0);
  EXPECT_EQ(ReadConfig(image)["rootfs"]["diff_ids"][0], Digest::Of(raw.stdout_data).str());
}

// The layer's bytes are a function of the files alone, across machines and
// libarchive versions: a change here changes every project's layer digest,
// so it must be deliberate (and said in docs/release.md).
TEST_F(ImageBuilderTest, LayerBytesArePinned) {
  BuiltImage image = Build("one", {{"dest", "/srv/www"}});
  fs::path layer = fs::path(image.output.path) / "blobs" / "sha256" / image.layer_digest.hex();
  ProcessResult raw = RunProcess({"gzip", "-dc", layer.string()});
  ASSERT_EQ(raw.exit_code, 0);
  EXPECT_EQ(raw.stdout_data.size(), 8u * 512 + 3u * 512 + 1024u);  // Headers, three data blocks, the end.
  EXPECT_EQ(Digest::Of(raw.stdout_data).str(), "sha256:78db21d3861250370b307469b720957019ea9977d9da0627b8af75d81daf2407");
  EXPECT_EQ(image.layer_digest.str(), "sha256:8c9b14db08e87fa0b7620cbeb6d1ac3efd5ce3d6b48c1eb01f7e5285bd5d36a1");
}

TEST_F(ImageBuilderTest, LongNamesAndLinksGoToPaxRecordsThatGnuTarAndSkopeoRead) {
  std::string directory = std::string(120, 'd');
  std::string file = std::string(140, 'f') + ".txt";
  std::string target = directory + "/" + file;  // 265 characters: no ustar prefix split holds it.
  CreateDirectories(context_ / directory);
  WriteFileAtomic(context_ / directory / file, "deep\n", 0644);
  fs::create_symlink(target, context_ / "link");
  BuiltImage image = Build("one");
  fs::path layer = fs::path(image.output.path) / "blobs" / "sha256" / image.layer_digest.hex();
  ProcessResult listing = RunProcess({"tar", "--numeric-owner", "-tvzf", layer.string()});
  ASSERT_EQ(listing.exit_code, 0) << listing.stderr_data;
  EXPECT_NE(listing.stdout_data.find(" " + target + "\n"), std::string::npos) << listing.stdout_data;
  EXPECT_NE(listing.stdout_data.find(" link -> " + target + "\n"), std::string::npos) << listing.stdout_data;
  EXPECT_EQ(listing.stdout_data.find("PaxHeader"), std::string::npos) << listing.stdout_data;
  // The pax records hold the names only: no times, owners or charset that vary by machine.
  ProcessResult raw = RunProcess({"gzip", "-dc", layer.string()});
  ASSERT_EQ(raw.exit_code, 0);
  for (const char* key : {"atime=", "ctime=", "mtime=", "uname=", "gname=", "hdrcharset="}) {
    EXPECT_EQ(raw.stdout_data.find(key), std::string::npos) << key;
  }
  EXPECT_NE(raw.stdout_data.find(" path=" + target + "\n"), std::string::npos);
  EXPECT_NE(raw.stdout_data.find(" linkpath=" + target + "\n"), std::string::npos);
  // skopeo copies the image out of the layout, checking every blob's digest.
  ProcessResult copy = RunProcess({"skopeo", "copy", "oci:" + image.output.path + ":v1", "dir:" + (temp_.path() / "copied").string()});
  ASSERT_EQ(copy.exit_code, 0) << copy.stderr_data;
  EXPECT_EQ(ReadFile(temp_.path() / "copied" / image.layer_digest.hex()), ReadFile(layer));
}

TEST_F(ImageBuilderTest, NonAsciiNamesKeepTheirBytes) {
  std::string name = "caf\xc3\xa9.txt";
  WriteFileAtomic(context_ / name, "menu\n", 0644);
  BuiltImage image = Build("one");
  BuiltImage again = Build("two");
  EXPECT_EQ(image.layer_digest, again.layer_digest);
  fs::path layer = fs::path(image.output.path) / "blobs" / "sha256" / image.layer_digest.hex();
  ProcessResult listing = RunProcess({"tar", "--quoting-style=literal", "-tzf", layer.string()});
  ASSERT_EQ(listing.exit_code, 0) << listing.stderr_data;
  EXPECT_NE(("\n" + listing.stdout_data).find("\n" + name + "\n"), std::string::npos) << listing.stdout_data;
  // No locale is set, so libarchive cannot call the name UTF-8: it says the bytes are the name's.
  ProcessResult raw = RunProcess({"gzip", "-dc", layer.string()});
  ASSERT_EQ(raw.exit_code, 0);
  EXPECT_NE(raw.stdout_data.find(" hdrcharset=BINARY\n"), std::string::npos);
  EXPECT_NE(raw.stdout_data.find(" path=" + name + "\n"), std::string::npos);
}

// The layer streams from the files through tar and gzip to disk: a file
// far larger than what berth may hold in memory moves the peak by little.
TEST_F(ImageBuilderTest, LayerMemoryDoesNotGrowWithItsSize) {
#if BERTH_SANITIZE
  GTEST_SKIP() << "sanitizers inflate RSS";
#endif
  fs::path big = context_ / "big.bin";
  { std::ofstream(big.string()); }
  fs::resize_file(big, uint64_t(256) << 20);  // Zeros: quick to deflate, and no disk blocks.
  struct rusage before, after;
  ::getrusage(RUSAGE_SELF, &before);
  BuiltImage image = Build("one");
  ::getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 32 * 1024) << "KiB of peak RSS grew while packing a 256 MiB file";
  ProcessResult listing = RunProcess({"tar", "-tvzf", (fs::path(image.output.path) / "blobs" / "sha256" / image.layer_digest.hex()).string()});
  ASSERT_EQ(listing.exit_code, 0) << listing.stderr_data;
  EXPECT_NE(listing.stdout_data.find(" 268435456 "), std::string::npos) << listing.stdout_data;
}

TEST_F(ImageBuilderTest, ConfigCarriesTheSettings) {
  json settings = {{"entrypoint", json::array({"/srv/www/serve.sh"})}, {"cmd", json::array({"--port", "8080"})},
                   {"env", {{"MODE", "prod"}, {"PORT", 8080}}}, {"ports", json::array({8080, "53/udp"})},
                   {"labels", {{"org.opencontainers.image.title", "hello"}}}, {"workdir", "/srv/www"}, {"dest", "/srv/www"}};
  BuiltImage image = Build("one", settings);
  json config = ReadConfig(image);
  EXPECT_EQ(config["created"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(config["os"], "linux");
  EXPECT_EQ(config["config"]["Entrypoint"], json::array({"/srv/www/serve.sh"}));
  EXPECT_EQ(config["config"]["Cmd"], json::array({"--port", "8080"}));
  EXPECT_EQ(config["config"]["Env"], json::array({"MODE=prod", "PORT=8080"}));
  EXPECT_EQ(config["config"]["ExposedPorts"], json({{"8080/tcp", json::object()}, {"53/udp", json::object()}}));
  EXPECT_EQ(config["config"]["Labels"]["org.opencontainers.image.title"], "hello");
  EXPECT_EQ(config["config"]["WorkingDir"], "/srv/www");
}

TEST_F(ImageBuilderTest, UnknownSettingIsRefused) {
  try {
    Build("one", {{"entrypiont", "x"}});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_STREQ(error.what(), "build.settings.entrypiont is not a setting of berth's builder");
  }
  EXPECT_FALSE(fs::exists(temp_.path() / "one"));
}

TEST_F(ImageBuilderTest, BuildsOnABaseLayoutAndTheEngineReadsIt) {
  BuiltImage base = Build("base", {{"env", {{"BASE", "1"}}}, {"dest", "/base"}});
  BuiltImage image = Build("app", {{"env", json::array({"APP=2"})}}, "oci:" + base.output.path + ":v1");
  EXPECT_EQ(image.layers, 2);
  json config = ReadConfig(image);
  EXPECT_EQ(config["rootfs"]["diff_ids"].size(), 2u);
  EXPECT_EQ(config["config"]["Env"], json::array({"BASE=1", "APP=2"}));
  // The OCI engine opens the result as any layout and verifies every blob.
  auto source = oci::OpenOciLayoutSource(image.output);
  oci::Manifest manifest = source->TopManifest();
  EXPECT_EQ(manifest.digest, image.manifest_digest);
  ASSERT_EQ(manifest.layers.size(), 2u);
  EXPECT_EQ(manifest.layers[0].digest, base.layer_digest);
  ProcessResult skopeo = RunProcess({"skopeo", "inspect", "--raw", "oci:" + image.output.path + ":v1"});
  ASSERT_EQ(skopeo.exit_code, 0) << skopeo.stderr_data;
  EXPECT_EQ(Digest::Of(skopeo.stdout_data), image.manifest_digest);
  for (const auto& layer : manifest.layers) {
    auto reader = source->Blob(layer)->Open();
    char buffer[4096];
    while (reader->Read(buffer, sizeof buffer) > 0) {
    }
  }
}

TEST_F(ImageBuilderTest, RebuildReplacesTheLayout) {
  BuiltImage first = Build("one");
  WriteFileAtomic(context_ / "new.txt", "new\n", 0644);
  BuiltImage second = Build("one");
  EXPECT_NE(first.manifest_digest, second.manifest_digest);
  EXPECT_EQ(oci::OpenOciLayoutSource(second.output)->TopManifest().digest, second.manifest_digest);
  EXPECT_FALSE(fs::exists(fs::path(second.output.path) / "blobs" / "sha256" / first.layer_digest.hex()));
  int leftovers = 0;
  for (const auto& entry : fs::directory_iterator(temp_.path())) leftovers += entry.path().filename().string().rfind(".berth-build", 0) == 0;
  EXPECT_EQ(leftovers, 0);
}

}  // namespace
}  // namespace berth::builders
