// The cache of library hashes (host/core/plugins/library_hash_cache.h) speeds up
// `berth plugin list` and weakens no check: a library changed after its hash
// was cached is refused, by the listing and by the load, and a load hashes
// the library whatever the cache says.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;

class PluginHashCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(plugins_.path());
    fs::copy(fs::path(BERTH_FIXTURE_PLUGIN_DIR) / "echo" / "echo", plugins_.path() / "echo", fs::copy_options::recursive);
    berth_.SetEnv("BERTH_PLUGIN_PATH", plugins_.path().string());
    // A library changed within the last 2 s is not cached (the racy
    // window); these tests are about a library whose hash was.
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    ASSERT_EQ(Listed()["state"], "ok");
    ASSERT_NE(ReadCache().find(" " + library_.string() + "\n"), std::string::npos) << "the hash was not cached";
    original_ = Stat();
  }

  nlohmann::json Listed() {
    for (const auto& item : berth_.Json({"plugin", "list"})) {
      if (item["name"] == "echo") return item;
    }
    ADD_FAILURE() << "echo is not listed";
    return nullptr;
  }

  std::string ReadCache() const {
    fs::path file = berth_.home() / "cache" / "berth" / "library-hashes";
    return fs::exists(file) ? ReadFile(file) : "";
  }

  struct stat Stat() const {
    struct stat st {};
    EXPECT_EQ(stat(library_.c_str(), &st), 0);
    return st;
  }

  // Flips one byte in the middle: same inode, same size, new content.
  void EditInPlace() {
    int fd = open(library_.c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    off_t middle = off_t(original_.st_size / 2);
    char byte = 0;
    ASSERT_EQ(pread(fd, &byte, 1, middle), 1);
    byte = char(byte ^ 0x5a);
    ASSERT_EQ(pwrite(fd, &byte, 1, middle), 1);
    close(fd);
    struct stat now = Stat();
    ASSERT_EQ(now.st_ino, original_.st_ino);
    ASSERT_EQ(now.st_size, original_.st_size);
  }

  void ExpectRefused() {
    const std::string refusal = "plugin " + library_.string() + ": sha256 ";
    nlohmann::json listed = Listed();
    std::string reason = listed["reason"].is_string() ? listed["reason"].get<std::string>() : "";
    EXPECT_EQ(reason.rfind(refusal, 0), 0u) << reason;
    EXPECT_NE(reason.find(" does not match the manifest's "), std::string::npos) << reason;
    auto result = berth_.Run({"echo", "say", "hello"});
    EXPECT_EQ(result.exit_code, 4) << Describe(result);
    EXPECT_EQ(result.stdout_data, "");
    EXPECT_EQ(result.stderr_data.rfind("error: " + refusal, 0), 0u) << result.stderr_data;
  }

  BerthRunner berth_;
  TempDir plugins_{"berth-hash-cache"};
  fs::path library_ = plugins_.path() / "echo" / "libberth-echo.so";
  struct stat original_ {};
};

TEST_F(PluginHashCacheTest, ALibraryEditedInPlaceIsRefused) {
  EditInPlace();
  ExpectRefused();
}

TEST_F(PluginHashCacheTest, RestoringItsMtimeWithTouchDoesNotHideTheEdit) {
  fs::path reference = plugins_.path() / "reference";
  WriteFileAtomic(reference, "");
  ASSERT_EQ(RunProcess({"touch", "-r", library_.string(), reference.string()}).exit_code, 0);
  EditInPlace();
  ASSERT_EQ(RunProcess({"touch", "-r", reference.string(), library_.string()}).exit_code, 0);
  ASSERT_EQ(Stat().st_mtim.tv_sec, original_.st_mtim.tv_sec);
  ASSERT_EQ(Stat().st_mtim.tv_nsec, original_.st_mtim.tv_nsec);
  ExpectRefused();
}

TEST_F(PluginHashCacheTest, LoadingHashesTheLibraryWhateverTheCacheSays) {
  EditInPlace();
  // A cache that lies: the manifest's hash for the edited library as it is
  // now. The listing takes the user's own cache at its word (whoever can
  // write it can write the user's plugins too); the load does not.
  struct stat st = Stat();
  auto ns = [](const timespec& t) { return std::to_string(int64_t(t.tv_sec) * 1'000'000'000 + t.tv_nsec); };
  std::string sha256 = nlohmann::json::parse(ReadFile(plugins_.path() / "echo" / "berth-plugin.json"))["sha256"];
  WriteFileAtomic(berth_.home() / "cache" / "berth" / "library-hashes",
                  "berth-library-hashes 1\n" + sha256 + " " + std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " +
                      std::to_string(st.st_size) + " " + ns(st.st_mtim) + " " + ns(st.st_ctim) + " " + library_.string() + "\n",
                  0600);
  EXPECT_EQ(Listed()["state"], "ok");
  auto result = berth_.Run({"echo", "say", "hello"});
  EXPECT_EQ(result.exit_code, 4) << Describe(result);
  EXPECT_EQ(result.stderr_data.rfind("error: plugin " + library_.string() + ": sha256 ", 0), 0u) << result.stderr_data;
  // And the load put the truth back for the next listing.
  EXPECT_EQ(Listed()["state"], "refused");
}

}  // namespace
}  // namespace berth::testing
