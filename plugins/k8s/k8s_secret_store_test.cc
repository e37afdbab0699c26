// The k8s secret store against the Kubernetes API server stand-in.
#include "k8s_secret_store.h"

#include <gtest/gtest.h>

#include "berth/util/base64.h"
#include "k8s_test_support.h"
#include "kube_standin.h"

namespace berth::k8s {
namespace {
using berth::testing::KubeStandin;

class K8sSecretStoreTest : public StandinSuite {
 protected:
  K8sSecretStore Store(const nlohmann::json& extra = nlohmann::json::object()) {
    nlohmann::json settings = {{"kubeconfig", standin_->kubeconfig()}};
    settings.update(extra);
    return K8sSecretStore(settings);
  }
  nlohmann::json Secret(const std::string& name) {
    return standin_->Call("GET", "/api/v1/namespaces/default/secrets/" + name).Json();
  }

};

TEST_F(K8sSecretStoreTest, SetListDiffDeleteKeepingOtherWritersKeys) {
  // Someone else made the Secret first, with a key of their own.
  auto created = standin_->Call("POST", "/api/v1/namespaces/default/secrets?fieldManager=kubectl-create",
                                R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"berth-dev"},"data":{"OTHER":")" +
                                    Base64Encode("theirs") + R"("}})");
  ASSERT_EQ(created.status, 201) << created.body;
  K8sSecretStore store = Store();
  ASSERT_TRUE(store.Set("dev", "API_KEY", SecretValue("sk-live-1234")).ok());
  ASSERT_TRUE(store.Set("dev", "DB_URL", SecretValue("postgres://u:p@db/x")).ok());
  nlohmann::json secret = Secret("berth-dev");
  EXPECT_EQ(secret["data"]["API_KEY"], Base64Encode("sk-live-1234"));
  EXPECT_EQ(secret["data"]["OTHER"], Base64Encode("theirs"));
  EXPECT_EQ(secret["metadata"]["labels"]["app.kubernetes.io/managed-by"], "berth");
  EXPECT_EQ(AppliedDataKeys(secret, "berth"), (std::set<std::string>{"API_KEY", "DB_URL"}));
  EXPECT_EQ(store.List("dev").value(), (std::vector<std::string>{"API_KEY", "DB_URL", "OTHER"}));

  // Changing a value keeps the others.
  ASSERT_TRUE(store.Set("dev", "API_KEY", SecretValue("sk-live-5678")).ok());
  EXPECT_EQ(Secret("berth-dev")["data"]["DB_URL"], Base64Encode("postgres://u:p@db/x"));

  std::map<std::string, SecretValue> desired;
  desired.emplace("API_KEY", SecretValue("sk-live-5678"));
  desired.emplace("DB_URL", SecretValue("postgres://u:p@db/y"));
  desired.emplace("NEW", SecretValue("n"));
  auto diff = store.Diff("dev", desired).value();
  std::vector<std::pair<std::string, std::string>> seen;
  for (const auto& entry : diff) seen.emplace_back(entry.name, SecretChangeName(entry.change));
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"API_KEY", "unchanged"}, {"DB_URL", "changed"}, {"NEW", "added"}, {"OTHER", "removed"}}));

  ASSERT_TRUE(store.Delete("dev", "DB_URL").ok());
  ASSERT_TRUE(store.Delete("dev", "OTHER").ok());  // someone else's key goes too: it was asked for
  EXPECT_EQ(store.List("dev").value(), (std::vector<std::string>{"API_KEY"}));
  Status again = store.Delete("dev", "DB_URL");
  EXPECT_EQ(again.code(), ErrorCode::kNotFound);
  EXPECT_EQ(again.message(), "no secret 'DB_URL' in Secret default/berth-dev");
  ASSERT_TRUE(store.Set("dev", "LATER", SecretValue("later-value")).ok());
  EXPECT_EQ(store.List("dev").value(), (std::vector<std::string>{"API_KEY", "LATER"}));

  // The API saw paths and queries, never a value in them.
  for (const auto& request : standin_->Requests()) {
    EXPECT_EQ(request.dump().find("sk-live"), std::string::npos);
    EXPECT_EQ(request.dump().find(Base64Encode("sk-live-5678")), std::string::npos);
  }
}

TEST_F(K8sSecretStoreTest, NamesNamespacesAndMistakes) {
  K8sSecretStore store = Store({{"secret", "web-{environment}"}, {"namespace", "kube-public"}});
  EXPECT_TRUE(store.List("staging").value().empty());  // no Secret yet
  ASSERT_TRUE(store.Set("staging", "TOKEN", SecretValue("abc123")).ok());
  EXPECT_EQ(standin_->Call("GET", "/api/v1/namespaces/kube-public/secrets/web-staging").status, 200);
  Status bad = store.Set("staging", "NOT/A/KEY", SecretValue("x"));
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.message(), "'NOT/A/KEY' cannot be a key of a Kubernetes Secret (letters, digits, '-', '_', '.')");
  K8sSecretStore nowhere = Store({{"namespace", "no-such-namespace"}});
  Status missing = nowhere.Set("dev", "A", SecretValue("value-1"));
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.message().find("namespaces \"no-such-namespace\" not found"), std::string::npos) << missing.message();
}

}  // namespace
}  // namespace berth::k8s
