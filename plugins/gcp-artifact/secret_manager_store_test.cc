#include "secret_manager_store.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "crc32c.h"
#include "gcp_test_support.h"

namespace berth::gcp {
namespace {

using testing::FakeEnvironment;
using testing::GoogleStandin;

class SecretManagerStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { standin_ = new GoogleStandin(); }
  static void TearDownTestSuite() {
    delete standin_;
    standin_ = nullptr;
  }
  void SetUp() override { standin_->ClearJournal(); }

  std::unique_ptr<SecretManagerStore> Store(nlohmann::json extra = nlohmann::json::object()) {
    extra["project"] = extra.value("project", standin_->project());
    extra["secretmanager-url"] = standin_->url();
    GcpSettings settings = GcpSettings::Parse(extra, "test");
    settings.key_file = standin_->key_file();
    auto chain = std::make_shared<CredentialChain>(settings, FakeEnvironment({}), std::make_shared<TokenCache>());
    return std::make_unique<SecretManagerStore>(settings, std::make_shared<GoogleApi>(chain));
  }
  // The stand-in's stored versions of secret `id`, values decoded.
  std::vector<std::string> Versions(const std::string& id) {
    std::vector<std::string> values;
    for (const auto& secret : standin_->Control("GET", "/_standin/secrets")) {
      if (secret["secret"] != id) continue;
      for (const auto& version : secret["versions"]) values.push_back(version["value"]);
    }
    return values;
  }

  inline static GoogleStandin* standin_ = nullptr;
};

TEST_F(SecretManagerStoreTest, SetCreatesTheSecretThenAddsVersions) {
  auto store = Store();
  ASSERT_TRUE(store->Set("staging", "DB_PASSWORD", SecretValue("first-value")).ok());
  ASSERT_TRUE(store->Set("staging", "DB_PASSWORD", SecretValue("second-value")).ok());
  EXPECT_EQ(Versions("staging--DB_PASSWORD"), (std::vector<std::string>{"first-value", "second-value"}));

  auto requests = standin_->Requests("/v1/");
  ASSERT_EQ(requests.size(), 4u);  // addVersion 404, create, addVersion, addVersion.
  EXPECT_EQ(requests[0]["status"], 404);
  EXPECT_EQ(requests[1]["method"], "POST");
  EXPECT_EQ(requests[1]["query"]["secretId"][0], "staging--DB_PASSWORD");
  EXPECT_EQ(requests[1]["body"]["replication"], nlohmann::json::parse(R"({"automatic": {}})"));
  EXPECT_EQ(requests[1]["body"]["labels"], nlohmann::json::parse(R"({"managed-by": "berth", "berth-environment": "staging"})"));
  EXPECT_EQ(requests[3]["body"]["payload"]["dataCrc32c"], std::to_string(Crc32c("second-value")));
  EXPECT_EQ(requests[3]["status"], 200);
  // The journal keeps no value; neither does anything berth sent outside the payload.
  EXPECT_EQ(standin_->Journal().dump().find("second-value"), std::string::npos);
}

TEST_F(SecretManagerStoreTest, UserManagedReplicationWhenLocationsAreGiven) {
  auto store = Store({{"replication-locations", "us-east1,europe-west1"}, {"prefix", "app-"}});
  ASSERT_TRUE(store->Set("prod", "TOKEN", SecretValue("v")).ok());
  auto create = standin_->Requests("/v1/")[1];
  EXPECT_EQ(create["body"]["replication"],
            nlohmann::json::parse(R"({"userManaged": {"replicas": [{"location": "us-east1"}, {"location": "europe-west1"}]}})"));
  EXPECT_EQ(Versions("app-TOKEN"), std::vector<std::string>{"v"});
}

TEST_F(SecretManagerStoreTest, ListsPerEnvironmentAcrossPagesAndDeletes) {
  auto store = Store();
  store->set_list_page_size(2);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->Set("listing", "KEY_" + std::to_string(i), SecretValue("value-" + std::to_string(i))).ok());
  ASSERT_TRUE(store->Set("other", "KEY_0", SecretValue("other-value")).ok());
  standin_->ClearJournal();
  EXPECT_EQ(store->List("listing").value(), (std::vector<std::string>{"KEY_0", "KEY_1", "KEY_2"}));
  auto pages = standin_->Requests("/v1/");
  EXPECT_GE(pages.size(), 2u);  // Every secret of the project, two per page.
  EXPECT_EQ(pages[0]["query"]["pageSize"][0], "2");
  ASSERT_TRUE(store->Delete("listing", "KEY_1").ok());
  EXPECT_EQ(store->List("listing").value(), (std::vector<std::string>{"KEY_0", "KEY_2"}));
  Status missing = store->Delete("listing", "KEY_1");
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.message(), "gcp-secret-manager: no secret KEY_1 in environment listing (secret id listing--KEY_1, project " +
                                   standin_->project() + ")");
  EXPECT_EQ(store->List("other").value(), std::vector<std::string>{"KEY_0"});
}

TEST_F(SecretManagerStoreTest, DiffComparesLatestValuesWithoutPrintingThem) {
  auto store = Store();
  ASSERT_TRUE(store->Set("diff", "SAME", SecretValue("same-value")).ok());
  ASSERT_TRUE(store->Set("diff", "CHANGED", SecretValue("old-value")).ok());
  ASSERT_TRUE(store->Set("diff", "GONE", SecretValue("gone-value")).ok());
  std::map<std::string, SecretValue> desired;
  desired.emplace("SAME", SecretValue("same-value"));
  desired.emplace("CHANGED", SecretValue("new-value"));
  desired.emplace("NEW", SecretValue("new-secret"));
  auto diff = store->Diff("diff", desired).value();
  std::map<std::string, SecretChange> changes;
  for (const auto& entry : diff) changes[entry.name] = entry.change;
  EXPECT_EQ(changes, (std::map<std::string, SecretChange>{{"CHANGED", SecretChange::kChanged},
                                                          {"GONE", SecretChange::kRemoved},
                                                          {"NEW", SecretChange::kAdded},
                                                          {"SAME", SecretChange::kUnchanged}}));
}

TEST_F(SecretManagerStoreTest, RefusesWhatSecretManagerWouldAndReportsItsErrors) {
  EXPECT_THROW(Store({{"project", ""}}), Error);
  auto store = Store();
  Status bad_name = store->Set("staging", "has.dot", SecretValue("value"));
  EXPECT_EQ(bad_name.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(bad_name.message(),
            "gcp-secret-manager: 'staging--has.dot' (environment staging, secret has.dot) is not a Secret Manager secret id: "
            "letters, digits, '_' and '-', at most 255");
  Status too_big = store->Set("staging", "BIG", SecretValue(std::string(65537, 'x')));
  EXPECT_EQ(too_big.code(), ErrorCode::kInvalidInput);
  auto denied = Store({{"project", "someone-elses"}})->List("staging");
  EXPECT_EQ(denied.status().code(), ErrorCode::kAuth);
  EXPECT_NE(denied.status().message().find("HTTP 403 PERMISSION_DENIED: Permission 'secretmanager.secrets.list' denied"),
            std::string::npos)
      << denied.status().message();
  EXPECT_TRUE(standin_->Requests("/v1/projects/" + standin_->project()).empty());
}

}  // namespace
}  // namespace berth::gcp
