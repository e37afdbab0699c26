#include "file_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "berth/util/fs.h"

namespace berth::file_secrets {
namespace {

TEST(FileStoreTest, SetListDiffDelete) {
  TempDir dir;
  FileStore store(dir.path());
  const std::string pem = "-----BEGIN KEY-----\nabc\ndef\n-----END KEY-----\n";
  ASSERT_TRUE(store.Set("dev", "TLS_KEY", SecretValue(pem)).ok());
  ASSERT_TRUE(store.Set("dev", "API_TOKEN", SecretValue("tok-123456")).ok());
  EXPECT_EQ(store.List("dev").value(), (std::vector<std::string>{"API_TOKEN", "TLS_KEY"}));

  struct stat info {};
  ASSERT_EQ(stat(store.FileFor("dev").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_NE(ReadFile(store.FileFor("dev")).find("abc\\ndef"), std::string::npos);  // Multi-line values survive.

  std::map<std::string, SecretValue> desired;
  desired.emplace("TLS_KEY", SecretValue(pem));
  desired.emplace("NEW", SecretValue("new-value"));
  auto diff = store.Diff("dev", desired).value();
  ASSERT_EQ(diff.size(), 3u);
  EXPECT_EQ(diff[0].name, "NEW");
  EXPECT_EQ(diff[0].change, SecretChange::kAdded);
  EXPECT_EQ(diff[1].change, SecretChange::kUnchanged);
  EXPECT_EQ(diff[2].name, "API_TOKEN");
  EXPECT_EQ(diff[2].change, SecretChange::kRemoved);

  ASSERT_TRUE(store.Delete("dev", "API_TOKEN").ok());
  Status missing = store.Delete("dev", "API_TOKEN");
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
}

TEST(FileStoreTest, RefusesBadNamesAndOpenFiles) {
  TempDir dir;
  FileStore store(dir.path());
  EXPECT_EQ(store.Set("../x", "A", SecretValue("v")).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(store.Set("dev", "A B", SecretValue("v")).code(), ErrorCode::kInvalidInput);
  ASSERT_TRUE(store.Set("dev", "A", SecretValue("value")).ok());
  chmod(store.FileFor("dev").c_str(), 0644);
  Status status = store.List("dev").status();
  EXPECT_EQ(status.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(status.message().find("readable by others"), std::string::npos);
}

}  // namespace
}  // namespace berth::file_secrets
