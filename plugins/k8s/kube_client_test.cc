// The API client against the Kubernetes API server stand-in: every way of
// authenticating, TLS verification, and how failures read.
#include "kube_client.h"

#include <gtest/gtest.h>

#include "berth/util/fs.h"
#include "k8s_test_support.h"
#include "kube_standin.h"

namespace berth::k8s {
namespace {
namespace fs = std::filesystem;
using berth::testing::KubeStandin;

class KubeClientTest : public StandinSuite {
 protected:

  KubeAccess Access(const std::string& context, const std::string& kubeconfig = "") {
    KubeConfigOptions options;
    options.kubeconfig = kubeconfig.empty() ? standin_->kubeconfig() : kubeconfig;
    options.context = context;
    return LoadKubeAccess(options);
  }
  // The user the stand-in saw on the last request.
  std::string LastUser() { return standin_->Requests().back().value("user", ""); }

  fs::path Write(const std::string& name, const std::string& text) {
    fs::path path = dir_.path() / name;
    WriteFileAtomic(path, text, 0600);
    return path;
  }
  std::string ClusterYaml() {
    return "clusters:\n- name: c\n  cluster:\n    server: " + standin_->url() + "\n    certificate-authority: " +
           standin_->ca_file() + "\n";
  }

  TempDir dir_{"kube-client-test"};
};

TEST_F(KubeClientTest, BearerTokenAndClientCertificate) {
  KubeClient token_client(Access("standin"));
  EXPECT_EQ(token_client.Get("/api/v1/namespaces/default")["metadata"]["name"], "default");
  EXPECT_EQ(LastUser(), "standin-admin");
  auto last = standin_->Requests().back();
  EXPECT_EQ(last["user_agent"].get<std::string>().rfind("berth/", 0), 0u);

  KubeClient cert_client(Access("standin-cert"));
  EXPECT_EQ(cert_client.Get("/api/v1/namespaces/default")["metadata"]["name"], "default");
  EXPECT_EQ(LastUser(), "standin-cert-user");
}

TEST_F(KubeClientTest, TokenFileRelativeToTheKubeconfig) {
  Write("token", standin_->token() + "\n");
  fs::path kubeconfig = Write("config", ClusterYaml() +
                                            "users:\n- name: u\n  user: {tokenFile: token}\n"
                                            "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
  KubeClient client(Access("", kubeconfig.string()));
  EXPECT_TRUE(client.GetIfExists("/api/v1/namespaces/default"));
  EXPECT_EQ(LastUser(), "standin-admin");
  // The file is read again for later requests (projected tokens rotate).
  Write("token", standin_->viewer_token());
  EXPECT_TRUE(client.GetIfExists("/api/v1/namespaces/default"));
  EXPECT_EQ(LastUser(), "standin-viewer");
}

TEST_F(KubeClientTest, KubeconfigListMergesClusterAndUserFromTwoFiles) {
  fs::path first = Write("first", ClusterYaml() + "contexts:\n- name: x\n  context: {cluster: c, user: u, namespace: kube-system}\n"
                                                  "current-context: x\n");
  fs::path second = Write("second", "users:\n- name: u\n  user:\n    client-certificate: " + standin_->client_cert() +
                                        "\n    client-key: " + standin_->client_key() + "\ncurrent-context: ignored\n");
  KubeConfigOptions options;
  options.kubeconfig_env = first.string() + ":" + second.string();
  KubeAccess access = LoadKubeAccess(options);
  EXPECT_EQ(access.namespace_name, "kube-system");
  KubeClient client(std::move(access));
  EXPECT_TRUE(client.GetIfExists("/api/v1/namespaces/kube-system"));
  EXPECT_EQ(LastUser(), "standin-cert-user");
}

TEST_F(KubeClientTest, ExecPluginTokenIsCachedAndRefreshedWhenRefused) {
  Write("exec-token", "not-the-right-token");
  fs::path count = dir_.path() / "count";
  fs::path kubeconfig = Write(
      "config", ClusterYaml() + "users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                                "      command: " + std::string(K8S_TESTDATA_DIR) + "/exec_plugin.py\n"
                                "      interactiveMode: Never\n      env:\n"
                                "      - {name: EXEC_COUNT_FILE, value: " + count.string() + "}\n"
                                "      - {name: EXEC_TOKEN_FILE, value: " + (dir_.path() / "exec-token").string() + "}\n"
                                "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
  auto runs = [&] {
    std::string text = fs::exists(count) ? ReadFile(count) : "";
    return std::count(text.begin(), text.end(), '\n');
  };
  ExecCredentialCache cache;
  KubeClient client(Access("", kubeconfig.string()), cache);
  // Refused: the plugin is asked once more, then the error names the cluster.
  Error error = ErrorOf([&] { client.Get("/api/v1/namespaces/default"); });
  EXPECT_EQ(error.code(), ErrorCode::kAuth);
  EXPECT_EQ(std::string(error.what()), "the Kubernetes API server " + standin_->url() + " refused berth's credentials (kubeconfig " +
                                           kubeconfig.string() + ", context x): Unauthorized");
  EXPECT_EQ(runs(), 2);

  Write("exec-token", standin_->token());
  EXPECT_TRUE(client.GetIfExists("/api/v1/namespaces/default"));  // cached bad token, 401, fresh one
  EXPECT_EQ(runs(), 3);
  for (int i = 0; i < 4; ++i) client.Get("/api/v1/namespaces/default");
  KubeClient second_client(Access("", kubeconfig.string()), cache);
  second_client.Get("/api/v1/namespaces/default");
  EXPECT_EQ(runs(), 3);  // cached: no expirationTimestamp means until refused
  EXPECT_EQ(LastUser(), "standin-admin");
}

TEST_F(KubeClientTest, ExecPluginClientCertificate) {
  fs::path count = dir_.path() / "count";
  fs::path kubeconfig = Write(
      "config", ClusterYaml() + "users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                                "      command: " + std::string(K8S_TESTDATA_DIR) + "/exec_plugin.py\n      env:\n"
                                "      - {name: EXEC_COUNT_FILE, value: " + count.string() + "}\n"
                                "      - {name: EXEC_API_VERSION, value: client.authentication.k8s.io/v1beta1}\n"
                                "      - {name: EXEC_MODE, value: cert}\n"
                                "      - {name: EXEC_CERT_FILE, value: " + standin_->client_cert() + "}\n"
                                "      - {name: EXEC_KEY_FILE, value: " + standin_->client_key() + "}\n"
                                "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
  ExecCredentialCache cache;
  KubeClient client(Access("", kubeconfig.string()), cache);
  client.Get("/api/v1/namespaces/default");
  EXPECT_EQ(LastUser(), "standin-cert-user");
}

TEST_F(KubeClientTest, InClusterServiceAccount) {
  fs::path account = dir_.path() / "serviceaccount";
  fs::create_directories(account);
  WriteFileAtomic(account / "token", standin_->token(), 0600);
  fs::copy_file(standin_->ca_file(), account / "ca.crt");
  WriteFileAtomic(account / "namespace", "kube-public\n");
  KubeConfigOptions options;  // no kubeconfig anywhere
  options.service_host = "127.0.0.1";
  options.service_port = std::to_string(standin_->info()["port"].get<int>());
  options.service_account_dir = account;
  KubeAccess access = LoadKubeAccess(options);
  EXPECT_EQ(access.namespace_name, "kube-public");
  KubeClient client(std::move(access));
  EXPECT_TRUE(client.GetIfExists("/api/v1/namespaces/kube-public"));
  EXPECT_EQ(LastUser(), "standin-admin");
}

TEST_F(KubeClientTest, TheServerIsVerifiedAgainstTheClusterCa) {
  KubeAccess access = Access("standin");
  access.ca_pem = ReadFile(standin_->client_cert());  // not the CA that signed the server
  access.ca_file = standin_->client_cert();
  KubeClient client(std::move(access));
  Error error = ErrorOf([&] { client.Get("/api/v1/namespaces/default"); });
  EXPECT_EQ(error.code(), ErrorCode::kFailure);
  std::string message = error.what();
  EXPECT_EQ(message.rfind("cannot reach the Kubernetes API server " + standin_->url(), 0), 0u) << message;
  EXPECT_NE(message.find("(checked against " + standin_->client_cert() + ")"), std::string::npos) << message;
}

TEST_F(KubeClientTest, TlsServerNameAndInsecureSkipVerify) {
  KubeAccess access = Access("standin");
  access.tls_server_name = "localhost";  // in the server certificate, unlike the address we connect to
  access.server = "https://127.0.0.1:" + std::to_string(standin_->info()["port"].get<int>());
  KubeClient named(std::move(access));
  EXPECT_TRUE(named.GetIfExists("/api/v1/namespaces/default"));

  access = Access("standin");
  access.ca_pem.clear();
  access.insecure_skip_tls_verify = true;
  KubeClient insecure(std::move(access));
  EXPECT_TRUE(insecure.GetIfExists("/api/v1/namespaces/default"));
}

TEST_F(KubeClientTest, FailuresCarryTheServersStatus) {
  KubeClient admin(Access("standin"));
  EXPECT_FALSE(admin.GetIfExists("/apis/apps/v1/namespaces/default/deployments/none"));
  Error missing = ErrorOf([&] { admin.Get("/apis/apps/v1/namespaces/default/deployments/none"); });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(std::string(missing.what()),
            "Kubernetes API GET /apis/apps/v1/namespaces/default/deployments/none: deployments.apps \"none\" not found (HTTP 404)");

  KubeClient viewer(Access("standin-viewer"));
  Error forbidden = ErrorOf([&] {
    viewer.Call("PATCH", WithQuery("/api/v1/namespaces/default/configmaps/x", {{"fieldManager", "berth"}}),
                R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}})", "application/apply-patch+yaml");
  });
  EXPECT_EQ(forbidden.code(), ErrorCode::kAuth);
  EXPECT_NE(std::string(forbidden.what()).find("is forbidden"), std::string::npos) << forbidden.what();

  KubeAccess wrong = Access("standin");
  wrong.token = SecretValue("not-a-valid-token");
  KubeClient refused(std::move(wrong));
  EXPECT_EQ(ErrorOf([&] { refused.Get("/api/v1/namespaces/default"); }).code(), ErrorCode::kAuth);
}

TEST(WithQueryTest, EncodesValues) {
  EXPECT_EQ(WithQuery("/x", {{"labelSelector", "a=b,c in (d)"}, {"force", "true"}}),
            "/x?labelSelector=a%3Db%2Cc%20in%20%28d%29&force=true");
  EXPECT_EQ(WithQuery("/x?y=1", {{"z", "2"}}), "/x?y=1&z=2");
}

}  // namespace
}  // namespace berth::k8s
