// The resumable-upload records: private files, atomic round trips, one per
// registry + repository + digest, damaged ones dropped.
#include "berth/oci/upload_state.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "berth/util/fs.h"

namespace berth::oci {
namespace {
namespace fs = std::filesystem;

mode_t ModeOf(const fs::path& path) {
  struct stat info {};
  stat(path.c_str(), &info);
  return info.st_mode & 0777;
}

TEST(UploadStateStoreTest, RoundTripsPrivatelyAndRemoves) {
  TempDir temp("berth-upload-state-test");
  UploadStateStore store(temp.path() / "state" / "uploads");
  const Digest digest = Digest::Of("blob");
  EXPECT_FALSE(store.Load("r:5000", "team/app", digest).has_value());
  store.Save({"r:5000", "team/app", digest, 1000, "http://r:5000/v2/team/app/blobs/uploads/u?_state=s", 512, 256});
  auto state = store.Load("r:5000", "team/app", digest);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->location, "http://r:5000/v2/team/app/blobs/uploads/u?_state=s");
  EXPECT_EQ(state->offset, 512);
  EXPECT_EQ(state->size, 1000);
  EXPECT_EQ(state->min_chunk, 256);
  const fs::path file = store.PathFor("r:5000", "team/app", digest);
  EXPECT_EQ(ModeOf(file), 0600u);
  EXPECT_EQ(ModeOf(store.dir()), 0700u);
  // Keyed by registry, repository and digest.
  EXPECT_FALSE(store.Load("r:5001", "team/app", digest).has_value());
  EXPECT_FALSE(store.Load("r:5000", "team/other", digest).has_value());
  EXPECT_FALSE(store.Load("r:5000", "team/app", Digest::Of("other")).has_value());
  store.Remove("r:5000", "team/app", digest);
  EXPECT_FALSE(fs::exists(file));
}

TEST(UploadStateStoreTest, ADamagedRecordIsDroppedAndAnUnwritableDirOnlyWarns) {
  TempDir temp("berth-upload-state-test");
  UploadStateStore store(temp.path());
  const Digest digest = Digest::Of("blob");
  WriteFileAtomic(store.PathFor("r:5000", "team/app", digest), "{not json", 0600);
  EXPECT_FALSE(store.Load("r:5000", "team/app", digest).has_value());
  EXPECT_FALSE(fs::exists(store.PathFor("r:5000", "team/app", digest)));
  WriteFileAtomic(temp.path() / "file", "x");
  UploadStateStore broken(temp.path() / "file" / "uploads");
  EXPECT_NO_THROW(broken.Save({"r:5000", "team/app", digest, 1, "u", 0, 0}));
}

TEST(UploadStateStoreTest, DefaultDirFollowsXdgStateHome) {
  const char* old = std::getenv("XDG_STATE_HOME");
  std::string saved = old ? old : "";
  setenv("XDG_STATE_HOME", "/somewhere/state", 1);
  EXPECT_EQ(UploadStateStore::DefaultDir(), fs::path("/somewhere/state/berth/uploads"));
  unsetenv("XDG_STATE_HOME");
  EXPECT_EQ(UploadStateStore::DefaultDir().filename(), "uploads");
  EXPECT_NE(UploadStateStore::DefaultDir().string().find("/.local/state/berth/uploads"), std::string::npos);
  if (old) setenv("XDG_STATE_HOME", saved.c_str(), 1);
}

}  // namespace
}  // namespace berth::oci
