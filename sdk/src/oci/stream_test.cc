// Streaming pieces: the threaded SHA-256, the bounded pipe, verifying file
// readers, tar, manifests and platforms.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "authenticator.h"
#include "berth/error.h"
#include "berth/oci/blob_stream.h"
#include "berth/oci/manifest.h"
#include "berth/oci/settings.h"
#include "berth/oci/tar.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "test_image.h"

namespace berth::oci {
namespace {
namespace fs = std::filesystem;

std::string Random(size_t size) { return testing::RandomBytes(size, 42); }

TEST(AsyncSha256Test, MatchesSha256WhateverTheChunking) {
  std::string data = Random((5u << 20) + 12345);
  AsyncSha256 hash;
  size_t pos = 0, step = 1;
  while (pos < data.size()) {
    size_t n = std::min(step, data.size() - pos);
    hash.Update(data.data() + pos, n);
    pos += n;
    step = step * 7 % 700001 + 1;
  }
  EXPECT_EQ(hash.FinishHex(), Sha256Hex(data));
  EXPECT_EQ(hash.bytes(), data.size());
  AsyncSha256 empty;
  EXPECT_EQ(empty.FinishHex(), Sha256Hex(""));
}

TEST(BoundedPipeTest, CarriesEveryByteAndPassesFailuresAcross) {
  std::string data = Random(3u << 20);
  BoundedPipe pipe(64 << 10);
  std::thread writer([&] {
    for (size_t pos = 0; pos < data.size(); pos += 10007) pipe.Write(data.data() + pos, std::min<size_t>(10007, data.size() - pos));
    pipe.CloseWrite();
  });
  std::string out;
  char buffer[5000];
  while (size_t n = pipe.Read(buffer, sizeof(buffer))) out.append(buffer, n);
  writer.join();
  EXPECT_EQ(out, data);

  BoundedPipe failing(16);
  std::thread failer([&] { failing.Fail(std::make_exception_ptr(Error(ErrorCode::kVerification, "bad bytes"))); });
  failer.join();
  EXPECT_THROW(failing.Read(buffer, 1), Error);
  EXPECT_THROW(failing.Write("x", 1), Error);
}

// The reader is woken in batches, but a writer with only a byte to give
// still gets it across, without closing the pipe.
TEST(BoundedPipeTest, ATricklingWriterIsNotHeldBackForABatch) {
  BoundedPipe pipe(1 << 20);
  std::promise<void> received;
  bool writer_gave_up = false;
  std::thread writer([&] {
    pipe.Write("x", 1);
    writer_gave_up = received.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::timeout;
    pipe.CloseWrite();
  });
  char buffer[4096];
  EXPECT_EQ(pipe.Read(buffer, sizeof(buffer)), 1u);
  received.set_value();
  writer.join();
  EXPECT_FALSE(writer_gave_up) << "the byte only came through when the writer closed the pipe";
  EXPECT_EQ(pipe.Read(buffer, sizeof(buffer)), 0u);
}

TEST(FileBlobSourceTest, VerifiesBeforeTheLastBytesLeave) {
  TempDir dir("berth-blob-test");
  std::string data = Random(100000);
  WriteFileAtomic(dir.path() / "blob", "xx" + data + "yy");
  FileBlobSource good(dir.path() / "blob", 2, data.size(), Digest::Of(data), "blob");
  auto reader = good.Open();
  std::string out;
  char buffer[4096];
  while (size_t n = reader->Read(buffer, sizeof(buffer))) out.append(buffer, n);
  EXPECT_EQ(out, data);
  // Wrong digest: the read that would hand over the final bytes throws.
  FileBlobSource bad(dir.path() / "blob", 2, data.size(), Digest::Of("other"), "blob x");
  auto bad_reader = bad.Open();
  size_t handed = 0;
  try {
    while (size_t n = bad_reader->Read(buffer, sizeof(buffer))) handed += n;
    ADD_FAILURE() << "no mismatch";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kVerification);
    EXPECT_TRUE(std::string(e.what()).starts_with("digest mismatch for blob x: expected " + Digest::Of("other").str())) << e.what();
  }
  EXPECT_LT(handed, data.size());
}

TEST(TarTest, WritesWhatGnuTarReadsAndIndexesItBack) {
  TempDir dir("berth-tar-test");
  std::string long_name = "deep/" + std::string(120, 'n') + ".txt";
  {
    TarWriter writer(dir.path() / "a.tar");
    writer.AddFile("manifest.json", "[]");
    writer.AddFile(long_name, "long");
    writer.BeginFile("big.bin", 70000);
    std::string big = Random(70000);
    writer.Write(big.data(), 30000);
    writer.Write(big.data() + 30000, 40000);
    writer.EndFile();
    writer.Finish();
  }
  ProcessResult list = RunProcess({"tar", "-tf", (dir.path() / "a.tar").string()});
  ASSERT_EQ(list.exit_code, 0) << list.stderr_data;
  EXPECT_EQ(list.stdout_data, "manifest.json\n" + long_name + "\nbig.bin\n");
  auto members = IndexTar(dir.path() / "a.tar");
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[long_name].size, 4u);
  EXPECT_EQ(members["big.bin"].size, 70000u);
  // The offsets are where the data is: docker-archive reads members in place.
  std::string bytes = ReadFile(dir.path() / "a.tar");
  EXPECT_EQ(bytes.substr(members["manifest.json"].offset, 2), "[]");
  EXPECT_EQ(bytes.substr(members[long_name].offset, 4), "long");
  // Owners, times and modes are fixed: the same members give the same bytes.
  ProcessResult verbose = RunProcess({"tar", "--numeric-owner", "-tvf", (dir.path() / "a.tar").string()});
  EXPECT_TRUE(verbose.stdout_data.starts_with("-rw-r--r-- 0/0 ")) << verbose.stdout_data;
  // And tarballs GNU tar wrote (gnu and pax formats, long names), with ./ prefixes.
  std::string gnu_long = std::string(110, 'g') + "/" + std::string(120, 'h');
  fs::create_directories(dir.path() / "src" / "sub");
  fs::create_directories(dir.path() / "src" / std::string(110, 'g'));
  WriteFileAtomic(dir.path() / "src" / "sub" / "f", "hello");
  WriteFileAtomic(dir.path() / "src" / gnu_long, "deep");
  for (std::string format : {"gnu", "pax"}) {
    ASSERT_EQ(RunProcess({"tar", "--format=" + format, "-C", (dir.path() / "src").string(), "-cf", (dir.path() / "b.tar").string(), "."}).exit_code, 0);
    auto gnu = IndexTar(dir.path() / "b.tar");
    ASSERT_TRUE(gnu.count("sub/f")) << format;
    EXPECT_EQ(gnu["sub/f"].size, 5u);
    ASSERT_TRUE(gnu.count(gnu_long)) << format;
    std::string gnu_bytes = ReadFile(dir.path() / "b.tar");
    EXPECT_EQ(gnu_bytes.substr(gnu["sub/f"].offset, 5), "hello") << format;
    EXPECT_EQ(gnu_bytes.substr(gnu[gnu_long].offset, 4), "deep") << format;
  }
  WriteFileAtomic(dir.path() / "not.tar", std::string(1024, 'x'));
  EXPECT_THROW(IndexTar(dir.path() / "not.tar"), Error);
}

TEST(ManifestTest, ParsesIndexesAndManifestsAndRefusesSchema1) {
  std::string digest = "sha256:" + std::string(64, 'c');
  auto index = Manifest::Parse(R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                                   digest + R"(","size":5,"platform":{"os":"linux","architecture":"arm64"}}]})",
                               "", "x");
  EXPECT_TRUE(index.is_index);
  EXPECT_EQ(index.media_type, media_type::kOciIndex);
  EXPECT_EQ(index.manifests[0].platform->str(), "linux/arm64");
  EXPECT_TRUE(index.manifests[0].platform->Matches(Platform::Parse("linux/arm64/v8")));
  EXPECT_FALSE(index.manifests[0].platform->Matches(Platform::Parse("linux/amd64")));
  auto docker = Manifest::Parse(R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + digest + R"(","size":1},"layers":[]})",
                                "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8", "x");
  EXPECT_EQ(docker.media_type, media_type::kDockerManifest);
  try {
    Manifest::Parse(R"({"schemaVersion":1,"name":"a","fsLayers":[]})", "application/vnd.docker.distribution.manifest.v1+prettyjws", "reg/a:1");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "reg/a:1: Docker schema 1 manifests are obsolete and not supported (re-push the image with a current client)");
  }
  EXPECT_THROW(Manifest::Parse("[]", "", "x"), Error);
  EXPECT_THROW(Manifest::Parse(R"({"schemaVersion":2,"config":{"digest":"nope","size":1}})", "", "x"), Error);
  EXPECT_THROW(Platform::Parse("linux"), Error);
}

TEST(HostRulesTest, PatternsAndPrivateAddresses) {
  EXPECT_TRUE(HostMatches("*-docker.pkg.dev", "europe-docker.pkg.dev"));
  EXPECT_FALSE(HostMatches("*-docker.pkg.dev", "a.europe-docker.pkg.dev"));
  EXPECT_TRUE(HostMatches("ghcr.io", "GHCR.io"));
  EXPECT_TRUE(HostMatches("127.0.0.1:*", "127.0.0.1:5000"));
  EXPECT_FALSE(HostMatches("ghcr.io", "ghcr.io.evil"));
  for (const char* host : {"127.0.0.1:5000", "10.1.2.3", "172.16.0.1", "192.168.1.1:443", "169.254.169.254", "localhost:80", "[::1]:5000", "[fe80::1]"}) {
    EXPECT_TRUE(Authenticator::IsPrivateHost(host)) << host;
  }
  for (const char* host : {"8.8.8.8", "ghcr.io", "172.32.0.1", "[2001:db8::1]:443"}) EXPECT_FALSE(Authenticator::IsPrivateHost(host)) << host;
}

}  // namespace
}  // namespace berth::oci
