#include "kube_config.h"

#include <gtest/gtest.h>

#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"

namespace berth::k8s {
namespace {
namespace fs = std::filesystem;

class KubeConfigTest : public ::testing::Test {
 protected:
  fs::path Write(const fs::path& relative, const std::string& text) {
    fs::path path = dir_.path() / relative;
    fs::create_directories(path.parent_path());
    WriteFileAtomic(path, text, 0600);
    return path;
  }
  KubeConfigOptions Options() {
    KubeConfigOptions options;
    options.home = dir_.path() / "home";
    options.service_account_dir = dir_.path() / "sa";
    return options;
  }
  template <typename Fn>
  std::string ErrorOf(Fn fn) {
    try {
      fn();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
  TempDir dir_{"kubeconfig-test"};
};

constexpr char kFirst[] = R"(apiVersion: v1
kind: Config
current-context: first
clusters:
- name: shared
  cluster: {server: "https://first.example:6443/", certificate-authority: certs/ca.pem}
contexts:
- name: first
  context: {cluster: shared, user: alice, namespace: team-a}
users:
- name: alice
  user: {tokenFile: tokens/alice}
)";

constexpr char kSecond[] = R"(apiVersion: v1
kind: Config
current-context: second
clusters:
- name: shared
  cluster: {server: "https://second.example:6443"}
- name: other
  cluster: {server: "other.example:443", insecure-skip-tls-verify: true}
contexts:
- name: first
  context: {cluster: other, user: bob}
- name: second
  context: {cluster: other, user: bob}
users:
- name: alice
  user: {token: from-second-file}
- name: bob
  user: {token: bob-token, username: ignored}
)";

TEST_F(KubeConfigTest, KubeconfigListMergesWithTheFirstFileWinning) {
  fs::path first = Write("a/config", kFirst);
  Write("a/certs/ca.pem", "CA PEM");
  fs::path second = Write("b/config", kSecond);
  KubeConfigOptions options = Options();
  // Missing files and repeated entries in the list are skipped, as kubectl does.
  options.kubeconfig_env = (dir_.path() / "missing").string() + ":" + first.string() + "::" + second.string() + ":" + first.string();
  KubeAccess access = LoadKubeAccess(options);
  EXPECT_EQ(access.context, "first");  // current-context: the first file to set it.
  EXPECT_EQ(access.server, "https://first.example:6443");  // cluster "shared" from the first file, slash trimmed.
  EXPECT_EQ(access.ca_pem, "CA PEM");  // relative to a/config
  EXPECT_EQ(access.ca_file, (dir_.path() / "a/certs/ca.pem").string());
  EXPECT_EQ(access.token_file, (dir_.path() / "a/tokens/alice").string());
  EXPECT_TRUE(access.token.empty());  // alice from the first file only, not merged field by field.
  EXPECT_EQ(access.namespace_name, "team-a");
  EXPECT_EQ(access.source, "kubeconfig " + first.string() + ":" + second.string() + ", context first");

  options.context = "second";
  access = LoadKubeAccess(options);
  EXPECT_EQ(access.server, "https://other.example:443");  // no scheme means https
  EXPECT_TRUE(access.insecure_skip_tls_verify);
  EXPECT_EQ(access.token.Reveal(), "bob-token");
  EXPECT_EQ(access.namespace_name, "");
}

TEST_F(KubeConfigTest, ExplicitFileWinsOverKubeconfigAndHome) {
  fs::path second = Write("b/config", kSecond);
  Write("home/.kube/config", kFirst);
  KubeConfigOptions options = Options();
  options.kubeconfig_env = (dir_.path() / "a/config").string();
  options.kubeconfig = second.string();
  EXPECT_EQ(LoadKubeAccess(options).context, "second");
  options.kubeconfig = (dir_.path() / "nope").string();
  EXPECT_EQ(ErrorOf([&] { LoadKubeAccess(options); }), "kubeconfig " + (dir_.path() / "nope").string() + " does not exist");
}

TEST_F(KubeConfigTest, HomeConfigWhenNothingElseIsSet) {
  Write("home/.kube/config", kSecond);
  EXPECT_EQ(LoadKubeAccess(Options()).context, "second");
  // KUBECONFIG set (even to files that do not exist) means the home file is not read.
  KubeConfigOptions options = Options();
  options.kubeconfig_env = (dir_.path() / "missing").string();
  EXPECT_EQ(ErrorOf([&] { LoadKubeAccess(options); }),
            "no kubeconfig: set `kubeconfig` in the target settings, set KUBECONFIG, or create ~/.kube/config");
}

TEST_F(KubeConfigTest, DataFieldsAreDecoded) {
  std::string text = "current-context: c\nclusters:\n- name: k\n  cluster:\n    server: https://127.0.0.1:1\n"
                     "    certificate-authority-data: " + Base64Encode("CA DATA") + "\n    certificate-authority: ignored.pem\n"
                     "contexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user:\n"
                     "    client-certificate-data: " + Base64Encode("CERT") + "\n    client-key-data: " + Base64Encode("KEY") + "\n";
  KubeConfigOptions options = Options();
  options.kubeconfig = Write("config", text).string();
  KubeAccess access = LoadKubeAccess(options);
  EXPECT_EQ(access.ca_pem, "CA DATA");
  EXPECT_EQ(access.client_cert_pem, "CERT");
  EXPECT_EQ(access.client_key_pem.Reveal(), "KEY");
}

TEST_F(KubeConfigTest, MistakesAreNamed) {
  KubeConfigOptions options = Options();
  options.kubeconfig = Write("config", kSecond).string();
  std::string file = options.kubeconfig;
  options.context = "prod";
  EXPECT_EQ(ErrorOf([&] { LoadKubeAccess(options); }),
            "context \"prod\" is not in kubeconfig " + file + " (contexts: first, second)");

  options.context = "";
  Write("config", "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://x, certificate-authority-data: '%%%'}\n"
                  "contexts:\n- name: c\n  context: {cluster: k}\n");
  EXPECT_EQ(ErrorOf([&] { LoadKubeAccess(options); }),
            "kubeconfig " + file + ": clusters[k].cluster.certificate-authority-data is not valid base64");

  Write("config", "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://x}\n"
                  "contexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user:\n"
                  "    auth-provider: {name: gcp}\n");
  EXPECT_EQ(ErrorOf([&] { LoadKubeAccess(options); }),
            "kubeconfig " + file + ": users[u].user uses auth-provider 'gcp', which kubectl no longer supports; "
            "use an exec credential plugin (for GKE: gke-gcloud-auth-plugin)");

  Write("config", "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://x}\n"
                  "contexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user: {client-key: key.pem}\n");
  EXPECT_EQ(ErrorOf([&] { LoadKubeAccess(options); }),
            "kubeconfig " + file + ": users[u].user.client-key: cannot read " + (dir_.path() / "key.pem").string());

  Write("config", "clusters: [\n");
  EXPECT_NE(ErrorOf([&] { LoadKubeAccess(options); }).find("kubeconfig " + file + ": line "), std::string::npos);
}

TEST_F(KubeConfigTest, ExecPluginsAreReadAndOldVersionsRefused) {
  std::string text = "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://x}\n"
                     "contexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user:\n    exec:\n"
                     "      apiVersion: client.authentication.k8s.io/v1beta1\n      command: bin/get-token\n"
                     "      args: [--audience, k8s]\n      env: [{name: A, value: b}]\n      installHint: install it\n"
                     "      provideClusterInfo: true\n      interactiveMode: IfAvailable\n";
  KubeConfigOptions options = Options();
  options.kubeconfig = Write("conf/config", text).string();
  KubeAccess access = LoadKubeAccess(options);
  ASSERT_TRUE(access.exec);
  EXPECT_EQ(access.exec->command, (dir_.path() / "conf/bin/get-token").string());  // has a '/': relative to the file
  EXPECT_EQ(access.exec->args, (std::vector<std::string>{"--audience", "k8s"}));
  EXPECT_EQ(access.exec->env, (std::vector<std::pair<std::string, std::string>>{{"A", "b"}}));
  EXPECT_TRUE(access.exec->provide_cluster_info);
  EXPECT_EQ(access.exec->install_hint, "install it");

  size_t at = text.find("bin/get-token");
  std::string bare = text;
  bare.replace(at, 13, "gke-gcloud-auth-plugin");
  Write("conf/config", bare);
  EXPECT_EQ(LoadKubeAccess(options).exec->command, "gke-gcloud-auth-plugin");  // a bare name is looked up in PATH

  std::string old = text;
  old.replace(old.find("v1beta1"), 7, "v1alpha1");
  Write("conf/config", old);
  EXPECT_NE(ErrorOf([&] { LoadKubeAccess(options); }).find("v1alpha1 is no longer supported"), std::string::npos);
}

TEST_F(KubeConfigTest, InClusterServiceAccount) {
  Write("sa/token", "sa-token\n");
  Write("sa/ca.crt", "SA CA");
  Write("sa/namespace", "payments\n");
  KubeConfigOptions options = Options();
  options.service_host = "10.0.0.1";
  options.service_port = "443";
  // No kubeconfig anywhere: the service account, as kubectl in a pod.
  KubeAccess access = LoadKubeAccess(options);
  EXPECT_EQ(access.server, "https://10.0.0.1:443");
  EXPECT_EQ(access.token_file, (dir_.path() / "sa/token").string());
  EXPECT_EQ(access.ca_pem, "SA CA");
  EXPECT_EQ(access.namespace_name, "payments");
  EXPECT_EQ(access.context, "in-cluster");

  options.service_host = "fd00::1";
  options.pod_namespace = "from-env";
  access = LoadInClusterAccess(options);
  EXPECT_EQ(access.server, "https://[fd00::1]:443");
  EXPECT_EQ(access.namespace_name, "from-env");

  // A kubeconfig wins unless in_cluster is asked for.
  Write("home/.kube/config", kSecond);
  EXPECT_EQ(LoadKubeAccess(options).context, "second");
  options.in_cluster = true;
  EXPECT_EQ(LoadKubeAccess(options).context, "in-cluster");

  options.service_host.clear();
  EXPECT_EQ(ErrorOf([&] { LoadKubeAccess(options); }),
            "not running in a Kubernetes cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set)");
}

}  // namespace
}  // namespace berth::k8s
