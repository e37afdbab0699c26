// The file-secrets plugin through the C boundary, loaded in-process by the
// SDK's test harness: its command and its store as berth would use them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "berth/testing/plugin_harness.h"

namespace {

std::filesystem::path MakeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "file-secrets-harness-XXXXXX").string();
  return mkdtemp(pattern.data());
}

TEST(FileSecretsPluginTest, StoreAndCommandWorkThroughTheBoundary) {
  berth::testing::PluginHarness harness(BERTH_PLUGIN_LIBRARY);
  EXPECT_EQ(harness.description()["provides"][0]["name"], "file");
  std::filesystem::path dir = MakeTempDir();
  auto store = harness.OpenSecretStore("file", {{"dir", dir.string()}});
  ASSERT_TRUE(store->Set("dev", "API_KEY", berth::SecretValue("not-a-real-key-123")).ok());
  auto names = store->List("dev").value();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0], "API_KEY");
  // The value crossed as a secret: the plugin registered it for redaction.
  bool registered = false;
  for (const auto& secret : harness.redactions()) registered = registered || secret == "not-a-real-key-123";
  EXPECT_TRUE(registered);

  auto run = harness.Run("file-secrets where", {{"environment", {"dev"}}, {"dir", {dir.string()}}});
  ASSERT_EQ(run.exit_code, 0) << run.error;
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0]["secrets"], 1);
  EXPECT_EQ(run.results[0]["environment"], "dev");

  // A usage error comes back as a status and a message, not an exception.
  run = harness.Run("file-secrets where", {});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.error.find("--environment"), std::string::npos) << run.error;
  std::filesystem::remove_all(dir);
}

}  // namespace
