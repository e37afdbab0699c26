#include "exec_credential.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "berth/error.h"
#include "berth/util/fs.h"
#include "berth/util/time.h"

namespace berth::k8s {
namespace {
namespace fs = std::filesystem;

constexpr char kV1[] = "client.authentication.k8s.io/v1";
constexpr char kV1beta1[] = "client.authentication.k8s.io/v1beta1";

template <typename Fn>
std::string MessageOf(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

class ExecCredentialTest : public ::testing::Test {
 protected:
  ExecConfig Plugin(const std::string& api_version = kV1) {
    WriteFileAtomic(dir_.path() / "token", "exec-token-0123456789\n", 0600);
    ExecConfig exec;
    exec.api_version = api_version;
    exec.command = std::string(K8S_TESTDATA_DIR) + "/exec_plugin.py";
    exec.env = {{"EXEC_COUNT_FILE", Count().string()},
                {"EXEC_INFO_FILE", (dir_.path() / "info.json").string()},
                {"EXEC_TOKEN_FILE", (dir_.path() / "token").string()},
                {"EXEC_API_VERSION", api_version}};
    return exec;
  }
  fs::path Count() const { return dir_.path() / "count"; }
  size_t Runs() const {
    if (!fs::exists(Count())) return 0;
    std::string text = ReadFile(Count());
    return size_t(std::count(text.begin(), text.end(), '\n'));
  }
  void SetEnv(ExecConfig& exec, const std::string& name, const std::string& value) { exec.env.emplace_back(name, value); }

  TempDir dir_{"exec-credential-test"};
  ExecCredentialCache cache_;
  KubeAccess cluster_ = [] {
    KubeAccess access;
    access.server = "https://127.0.0.1:6443";
    access.ca_pem = "CA";
    return access;
  }();
};

TEST_F(ExecCredentialTest, ParsesV1AndV1beta1Answers) {
  ExecConfig exec;
  exec.command = "plugin";
  exec.api_version = kV1beta1;
  auto credential = ParseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",
          "status":{"token":"t0k3n-value","expirationTimestamp":"2030-01-02T03:04:05Z"}})",
      exec);
  EXPECT_EQ(credential.token.Reveal(), "t0k3n-value");
  ASSERT_TRUE(credential.expires);
  EXPECT_EQ(FormatRfc3339(*credential.expires), "2030-01-02T03:04:05Z");

  exec.api_version = kV1;
  credential = ParseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
          "status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}})",
      exec);
  EXPECT_TRUE(credential.token.empty());
  EXPECT_EQ(credential.client_cert_pem, "CERT");
  EXPECT_EQ(credential.client_key_pem.Reveal(), "KEY");
  EXPECT_FALSE(credential.expires);
}

TEST_F(ExecCredentialTest, BadAnswersAreRefusedWithoutQuotingThem) {
  ExecConfig exec;
  exec.command = "plugin";
  exec.api_version = kV1;
  EXPECT_EQ(MessageOf([&] { ParseExecCredential("secret-token-in-garbage", exec); }),
            "exec credential plugin 'plugin' did not print an ExecCredential JSON object on stdout");
  EXPECT_EQ(MessageOf([&] {
              ParseExecCredential(R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"x"}})", exec);
            }),
            "exec credential plugin 'plugin' answered with apiVersion 'client.authentication.k8s.io/v1beta1', but the "
            "kubeconfig asks for 'client.authentication.k8s.io/v1'");
  EXPECT_EQ(MessageOf([&] { ParseExecCredential(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}})", exec); }),
            "exec credential plugin 'plugin' returned neither a token nor a client certificate and key");
  EXPECT_EQ(MessageOf([&] {
              ParseExecCredential(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
                                      "status":{"token":"x","expirationTimestamp":"tomorrow"}})", exec);
            }),
            "exec credential plugin 'plugin' returned a malformed expirationTimestamp 'tomorrow'");
}

TEST_F(ExecCredentialTest, RunsThePluginOnceUntilItsCredentialExpires) {
  ExecConfig exec = Plugin();
  SetEnv(exec, "EXEC_EXPIRES", FormatRfc3339(std::chrono::system_clock::now() + std::chrono::hours(1)));
  EXPECT_EQ(cache_.Get(exec, cluster_).token.Reveal(), "exec-token-0123456789");
  EXPECT_EQ(cache_.Get(exec, cluster_).token.Reveal(), "exec-token-0123456789");
  EXPECT_EQ(Runs(), 1u);
  // What the plugin was told.
  auto info = nlohmann::json::parse(ReadFile(dir_.path() / "info.json"));
  EXPECT_EQ(info, nlohmann::json::parse(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}})"));
  // A refused credential is fetched again.
  cache_.Get(exec, cluster_, /*refresh=*/true);
  EXPECT_EQ(Runs(), 2u);
}

TEST_F(ExecCredentialTest, ExpiredCredentialsAreFetchedAgain) {
  ExecConfig exec = Plugin(kV1beta1);
  SetEnv(exec, "EXEC_EXPIRES", FormatRfc3339(std::chrono::system_clock::now() - std::chrono::seconds(1)));
  cache_.Get(exec, cluster_);
  cache_.Get(exec, cluster_);
  EXPECT_EQ(Runs(), 2u);
}

TEST_F(ExecCredentialTest, ClusterInfoIsProvidedWhenAsked) {
  ExecConfig exec = Plugin();
  exec.provide_cluster_info = true;
  cache_.Get(exec, cluster_);
  auto info = nlohmann::json::parse(ReadFile(dir_.path() / "info.json"));
  EXPECT_EQ(info["spec"]["cluster"]["server"], "https://127.0.0.1:6443");
  EXPECT_EQ(info["spec"]["cluster"]["certificate-authority-data"], "Q0E=");
}

TEST_F(ExecCredentialTest, FailuresSayWhatThePluginSaidButNeverWhatItPrinted) {
  ExecConfig exec = Plugin();
  SetEnv(exec, "EXEC_MODE", "fail");
  EXPECT_EQ(MessageOf([&] { cache_.Get(exec, cluster_); }),
            "exec credential plugin '" + exec.command + "' failed (exit 1): error: you must log in first (run: fake-login)");
  exec = Plugin();
  SetEnv(exec, "EXEC_MODE", "garbage");
  std::string message = MessageOf([&] { cache_.Get(exec, cluster_); });
  EXPECT_EQ(message, "exec credential plugin '" + exec.command + "' did not print an ExecCredential JSON object on stdout");

  exec.command = "berth-no-such-auth-plugin";
  exec.install_hint = "Install it with: apt-get install berth-no-such-auth-plugin";
  EXPECT_EQ(MessageOf([&] { cache_.Get(exec, cluster_); }),
            "exec credential plugin 'berth-no-such-auth-plugin': executable not found\n\n"
            "Install it with: apt-get install berth-no-such-auth-plugin");
}

TEST(Rfc3339Test, ParsesWhatTheApiWrites) {
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2024-03-01T01:00:00+02:00")), "2024-02-29T23:00:00Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2024-03-01T00:00:00.123456Z")), "2024-03-01T00:00:00Z");
  EXPECT_FALSE(ParseRfc3339("2024-03-01 00:00:00"));
  EXPECT_FALSE(ParseRfc3339("2024-13-01T00:00:00Z"));
}

}  // namespace
}  // namespace berth::k8s
