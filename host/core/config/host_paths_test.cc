#include "core/config/host_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "berth/util/fs.h"

namespace berth::host {
namespace {
namespace fs = std::filesystem;

// A berth.yaml another user could have written does not configure this
// user's berth: /tmp/berth.yaml from another user applied to every project
// under /tmp.
class ProjectDiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root_ / "project" / "src");
    chmod(root_.c_str(), 0755);
  }
  void WriteYaml(const fs::path& dir) { std::ofstream(dir / "berth.yaml") << "service: app\n"; }

  TempDir temp_{"berth-discovery"};
  fs::path root_ = temp_.path() / "root";
};

TEST_F(ProjectDiscoveryTest, OwnFileIsFound) {
  WriteYaml(root_ / "project");
  EXPECT_EQ(FindProjectDirFrom(root_ / "project" / "src"), root_ / "project");
}

TEST_F(ProjectDiscoveryTest, AFileOwnedByAnotherUserIsIgnored) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another uid";
  WriteYaml(root_ / "project");
  ASSERT_EQ(chown((root_ / "project" / "berth.yaml").c_str(), 12345, 12345), 0);
  EXPECT_EQ(FindProjectDirFrom(root_ / "project" / "src"), std::nullopt);
  EXPECT_EQ(UntrustedProjectFile(root_ / "project" / "berth.yaml"), "owned by uid 12345, not by you (uid 0) or root");
  // Nor does the user's own .berth/ beside it make that directory the project.
  fs::create_directory(root_ / "project" / ".berth");
  EXPECT_EQ(FindProjectDirFrom(root_ / "project" / "src"), std::nullopt);
  // The search goes on upwards, to a file that is the user's.
  WriteYaml(root_);
  EXPECT_EQ(FindProjectDirFrom(root_ / "project" / "src"), root_);
}

TEST_F(ProjectDiscoveryTest, AFileInAWorldWritableDirectoryIsIgnoredUnlessItIsSticky) {
  WriteYaml(root_ / "project");
  chmod((root_ / "project").c_str(), 0777);
  EXPECT_EQ(FindProjectDirFrom(root_ / "project" / "src"), std::nullopt);
  EXPECT_EQ(UntrustedProjectFile(root_ / "project" / "berth.yaml"), "in " + (root_ / "project").string() + ", which anyone may write to");
  // Sticky, like /tmp: others cannot replace the user's own file there.
  chmod((root_ / "project").c_str(), 01777);
  EXPECT_EQ(FindProjectDirFrom(root_ / "project" / "src"), root_ / "project");
}

}  // namespace
}  // namespace berth::host
