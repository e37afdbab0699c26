// The micros-stash store against the atlas stand-in (tests/standins/atlas).
#include "stash_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "berth/util/fs.h"
#include "berth/util/process.h"

namespace berth::micros {
namespace {
namespace fs = std::filesystem;

const char kPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n"
    "-----END PRIVATE KEY-----\n";

TEST(AppendJsonStringTest, RoundTripsAnyText) {
  for (const std::string& value : {std::string(kPem), std::string("quote \" back \\ slash"), std::string("tab\tcr\r\x01\x1f"),
                                  std::string("ünïcødé ✓"), std::string()}) {
    std::string json;
    AppendJsonString(json, value);
    EXPECT_EQ(nlohmann::json::parse(json).get<std::string>(), value) << json;
  }
}

class StashStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_.path() / "tmp");
    setenv("TMPDIR", (tmp_.path() / "tmp").c_str(), 1);
    setenv("ATLAS_STANDIN_STATE", (tmp_.path() / "state").c_str(), 1);
    unsetenv("ATLAS_STANDIN_FAIL");
    unsetenv("ATLAS_STANDIN_LOG");
    unsetenv("ATLAS_STANDIN_SLEEP");
    Atlas({"micros", "service", "create", "--service", "shop-api", "--no-sd"});
  }
  void TearDown() override {
    unsetenv("TMPDIR");
    unsetenv("ATLAS_STANDIN_FAIL");
  }
  void Atlas(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {kAtlas};
    argv.insert(argv.end(), args.begin(), args.end());
    ASSERT_EQ(RunProcess(argv).exit_code, 0);
  }
  StashStore Store() {
    return StashStore(StashSettings::Parse({{"service", "shop-api"}, {"env", "stg-west"}, {"atlas", kAtlas}}));
  }
  std::vector<nlohmann::json> Log() {
    std::vector<nlohmann::json> entries;
    std::ifstream in(tmp_.path() / "state" / "log.jsonl");
    for (std::string line; std::getline(in, line);) entries.push_back(nlohmann::json::parse(line));
    return entries;
  }
  bool TmpIsEmpty() { return fs::is_empty(tmp_.path() / "tmp"); }

  const std::string kAtlas = BERTH_SOURCE_DIR "/tests/standins/atlas/atlas";
  TempDir tmp_{"micros-stash-test"};
};

TEST_F(StashStoreTest, SetPassesAPrivateFileAndNeverTheValue) {
  StashStore store = Store();
  ASSERT_TRUE(store.Set("staging", "TLS_KEY", SecretValue(kPem)).ok());
  ASSERT_TRUE(store.Set("staging", "DB_PASSWORD", SecretValue("pa\"ss word\\n")).ok());
  EXPECT_EQ(store.List("staging").value(), (std::vector<std::string>{"DB_PASSWORD", "TLS_KEY"}));
  EXPECT_TRUE(TmpIsEmpty());

  auto log = Log();
  ASSERT_EQ(log.size(), 4u);  // create, set, set, list
  const auto& set = log[1];
  EXPECT_EQ(set["command"], "micros stash set");
  ASSERT_EQ(set["files"].size(), 1u);
  EXPECT_EQ(set["files"][0]["mode"], "0600");
  EXPECT_EQ(fs::path(set["files"][0]["path"].get<std::string>()).parent_path(), tmp_.path() / "tmp");
  auto copied = nlohmann::json::parse(ReadFile(set["files"][0]["copy"].get<std::string>()));
  EXPECT_EQ(copied, nlohmann::json({{"TLS_KEY", kPem}}));
  for (const auto& entry : log) {
    for (const auto& arg : entry["argv"]) {
      EXPECT_EQ(arg.get<std::string>().find("PRIVATE KEY"), std::string::npos);
      EXPECT_EQ(arg.get<std::string>().find("pa\"ss"), std::string::npos);
    }
  }
  auto state = nlohmann::json::parse(ReadFile(tmp_.path() / "state" / "state.json"));
  EXPECT_EQ(state["services"]["shop-api"]["envs"]["stg-west"]["stash"]["TLS_KEY"], kPem);
  EXPECT_EQ(state["services"]["shop-api"]["envs"]["stg-west"]["stash"]["DB_PASSWORD"], "pa\"ss word\\n");
}

TEST_F(StashStoreTest, FailedSetStillRemovesTheFile) {
  setenv("ATLAS_STANDIN_FAIL", "stash-set", 1);
  Status status = Store().Set("staging", "TLS_KEY", SecretValue(kPem));
  EXPECT_EQ(status.code(), ErrorCode::kFailure);
  EXPECT_EQ(status.message(),
            "atlas micros stash set failed: stash set failed: internal server error from Micros (injected by ATLAS_STANDIN_FAIL)");
  EXPECT_TRUE(TmpIsEmpty());
  EXPECT_EQ(Log().back()["files"][0]["mode"], "0600");  // atlas did get the file.
}

TEST_F(StashStoreTest, DiffListAndDelete) {
  StashStore store = Store();
  ASSERT_TRUE(store.Set("staging", "OLD", SecretValue("old-value")).ok());
  ASSERT_TRUE(store.Set("staging", "KEPT", SecretValue("kept-value")).ok());
  std::map<std::string, SecretValue> desired;
  desired.emplace("KEPT", SecretValue("kept-value"));
  desired.emplace("NEW", SecretValue("new-value"));
  auto diff = store.Diff("staging", desired).value();
  ASSERT_EQ(diff.size(), 3u);
  EXPECT_EQ(diff[0].name, "KEPT");
  EXPECT_EQ(diff[0].change, SecretChange::kChanged);  // The stash cannot be read back.
  EXPECT_EQ(diff[1].name, "NEW");
  EXPECT_EQ(diff[1].change, SecretChange::kAdded);
  EXPECT_EQ(diff[2].name, "OLD");
  EXPECT_EQ(diff[2].change, SecretChange::kRemoved);
  EXPECT_TRUE(store.Delete("staging", "OLD").ok());
  Status missing = store.Delete("staging", "OLD");
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.message(), "no stash key 'OLD' for Micros service shop-api in stg-west");
  EXPECT_EQ(store.List("staging").value(), std::vector<std::string>{"KEPT"});
  EXPECT_EQ(store.Set("staging", "bad key", SecretValue("v-a-l-u-e")).code(), ErrorCode::kInvalidInput);
}

TEST_F(StashStoreTest, EnvironmentNameFallsBackToBerths) {
  StashStore store(StashSettings::Parse({{"service", "shop-api"}, {"atlas", kAtlas}}));
  ASSERT_TRUE(store.Set("ddev", "K", SecretValue("value-1")).ok());
  EXPECT_EQ(Log().back()["args"], nlohmann::json({"micros", "stash", "set", "-s", "shop-api", "-e", "ddev", "-f",
                                                   Log().back()["files"][0]["path"], "--output", "json"}));
  EXPECT_EQ(store.List("Staging").status().message(),
            "'Staging' is not a Micros environment name (lowercase letters, digits, '-'); map it with the store's env setting");
  StashStore missing_atlas(StashSettings::Parse({{"service", "shop-api"}, {"atlas", "/nonexistent/atlas"}}));
  EXPECT_EQ(missing_atlas.List("ddev").status().code(), ErrorCode::kNotFound);
}

TEST_F(StashStoreTest, FirstSetCreatesTheServiceUnlessTold) {
  StashStore refusing(StashSettings::Parse({{"service", "fresh"}, {"atlas", kAtlas}, {"create_service", false}}));
  EXPECT_EQ(refusing.List("ddev").value(), std::vector<std::string>{});  // No service: nothing stored.
  Status refused = refusing.Set("ddev", "K", SecretValue("value-1"));
  EXPECT_EQ(refused.message(),
            "atlas micros stash set failed: service 'fresh' not found; create it with: atlas micros service create --service=fresh");
  StashStore store(StashSettings::Parse({{"service", "fresh"}, {"atlas", kAtlas}}));
  ASSERT_TRUE(store.Set("ddev", "K", SecretValue("value-1")).ok());
  auto log = Log();
  ASSERT_GE(log.size(), 3u);
  EXPECT_EQ(log[log.size() - 2]["args"], nlohmann::json({"micros", "service", "create", "--service", "fresh", "--no-sd", "--output", "json"}));
  EXPECT_EQ(log.back()["command"], "micros stash set");
  EXPECT_EQ(log.back()["exit_code"], 0);
  EXPECT_EQ(store.List("ddev").value(), std::vector<std::string>{"K"});
  EXPECT_TRUE(TmpIsEmpty());
}

}  // namespace
}  // namespace berth::micros
