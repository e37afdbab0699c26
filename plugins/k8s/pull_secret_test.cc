// berth's image pull secret: what it holds (the image's registry only, in
// docker login's form), when it is made, and that the cluster's copy is
// replaced only when it differs and never when berth does not own it.
#include "pull_secret.h"

#include <gtest/gtest.h>

#include "berth/util/base64.h"
#include "k8s_test_support.h"
#include "manifests.h"

namespace berth::k8s {
namespace {

const std::string kPrivateImage = "127.0.0.1:5000/team/web@sha256:" + std::string(64, 'a');

oci::Credential Basic(const std::string& username, const std::string& password) {
  oci::Credential credential;
  credential.kind = oci::Credential::Kind::kBasic;
  credential.username = username;
  credential.secret = SecretValue(password);
  credential.origin = "/home/u/.docker/config.json";
  return credential;
}

TargetSettings WithPullSecret(const std::string& value) {
  return TargetSettings::Parse({{"pull_secret", value}});
}

nlohmann::json DockerConfigOf(const nlohmann::json& secret) {
  auto text = Base64Decode(secret["data"][kDockerConfigJsonKey].get<std::string>());
  return nlohmann::json::parse(text.value_or(""), nullptr, false);
}

TEST(PullSecretTest, HoldsTheImagesRegistryAloneInDockerLoginsForm) {
  nlohmann::json secret = RenderPullSecret("web-pull", "shop", "web", "127.0.0.1:5000", Basic("alice", "s3cret:pw"));
  EXPECT_EQ(secret["type"], "kubernetes.io/dockerconfigjson");
  EXPECT_EQ(secret["metadata"]["labels"]["app.kubernetes.io/managed-by"], "berth");
  EXPECT_EQ(secret["metadata"]["labels"]["app.kubernetes.io/name"], "web");
  EXPECT_EQ(secret["metadata"]["annotations"]["berth.dev/registry"], "127.0.0.1:5000");
  ASSERT_EQ(secret["data"].size(), 1u);
  nlohmann::json config = DockerConfigOf(secret);
  ASSERT_EQ(config["auths"].size(), 1u) << config.dump();
  EXPECT_EQ(Base64Decode(config["auths"]["127.0.0.1:5000"]["auth"].get<std::string>()).value_or(""), "alice:s3cret:pw");
  // Docker Hub under the key docker and the kubelet look it up by.
  config = DockerConfigOf(RenderPullSecret("p", "shop", "web", "docker.io", Basic("bob", "pw")));
  EXPECT_TRUE(config["auths"].contains("https://index.docker.io/v1/")) << config.dump();
}

TEST(PullSecretTest, TokensTheKubeletCannotUseAreRefusedWithoutShowingThem) {
  oci::Credential credential = Basic("alice", "refresh-tok-123");
  credential.kind = oci::Credential::Kind::kIdentityToken;
  Error error = ErrorOf([&] { RenderPullSecret("p", "shop", "web", "127.0.0.1:5000", credential); });
  EXPECT_EQ(error.code(), ErrorCode::kAuth);
  EXPECT_EQ(std::string(error.what()),
            "k8s target setting 'pull_secret': berth's credential for 127.0.0.1:5000 (from /home/u/.docker/config.json) is "
            "an identity (refresh) token, which the kubelet cannot pull with; log in with a username and password or token "
            "(berth login 127.0.0.1:5000 -u USER), or set pull_secret: none");
}

TEST(PullSecretTest, MadeOnlyWhenTheSettingsAskAndBerthHasACredential) {
  std::vector<std::string> asked;
  auto none = [&](const std::string& registry, const std::string& repository) {
    asked.push_back(registry + " " + repository);
    return oci::Credential{};
  };
  auto alice = [&](const std::string& registry, const std::string& repository) {
    asked.push_back(registry + " " + repository);
    return Basic("alice", "pw");
  };
  // none (the default): no credential is even looked up.
  EXPECT_FALSE(PreparePullSecret(TargetSettings::Parse(nlohmann::json::object()), "web", "shop", kPrivateImage, alice));
  EXPECT_TRUE(asked.empty());
  // auto: only with a credential, named after the Deployment.
  EXPECT_FALSE(PreparePullSecret(WithPullSecret("auto"), "web", "shop", kPrivateImage, none));
  EXPECT_EQ(asked, std::vector<std::string>{"127.0.0.1:5000 team/web"});
  auto made = PreparePullSecret(WithPullSecret("auto"), "web", "shop", kPrivateImage, alice);
  ASSERT_TRUE(made);
  EXPECT_EQ(made->name, "web-pull");
  EXPECT_EQ(made->registry, "127.0.0.1:5000");
  EXPECT_EQ(made->Describe(), "Secret shop/web-pull");
  // A name: berth must have a credential to put in it.
  EXPECT_EQ(PreparePullSecret(WithPullSecret("regcred"), "web", "shop", kPrivateImage, alice)->name, "regcred");
  Error error = ErrorOf([&] { PreparePullSecret(WithPullSecret("regcred"), "web", "shop", kPrivateImage, none); });
  EXPECT_EQ(error.code(), ErrorCode::kAuth);
  EXPECT_EQ(std::string(error.what()),
            "k8s target setting 'pull_secret': berth has no credential for 127.0.0.1:5000 to put in Secret shop/regcred "
            "(berth login 127.0.0.1:5000, or set pull_secret: auto to go without)");
}

TEST(PullSecretTest, SettingValuesAreChecked) {
  EXPECT_EQ(std::string(ErrorOf([] { WithPullSecret("Reg_Cred"); }).what()),
            "k8s target setting 'pull_secret': 'Reg_Cred' must be none, auto or a Secret name");
  EXPECT_EQ(std::string(ErrorOf([] {
              TargetSettings::Parse({{"pull_secret", "regcred"}, {"image_pull_secrets", {"regcred"}}});
            }).what()),
            "k8s target setting 'pull_secret': 'regcred' is also in image_pull_secrets; berth would overwrite a Secret you manage");
}

TEST(PullSecretTest, TheDeploymentReferencesItAfterTheListedOnes) {
  TargetSettings settings = TargetSettings::Parse({{"image_pull_secrets", {"team-cred"}}, {"pull_secret", "auto"}});
  RenderInput input;
  input.settings = &settings;
  input.service = "web";
  input.namespace_name = "shop";
  input.image = kPrivateImage;
  input.pull_secret = "web-pull";
  EXPECT_EQ(RenderDeployment(input)["spec"]["template"]["spec"]["imagePullSecrets"],
            nlohmann::json::parse(R"([{"name": "team-cred"}, {"name": "web-pull"}])"));
  input.pull_secret = "";
  EXPECT_EQ(RenderDeployment(input)["spec"]["template"]["spec"]["imagePullSecrets"],
            nlohmann::json::parse(R"([{"name": "team-cred"}])"));
}

TEST(PullSecretTest, ComparedWithTheClustersCopy) {
  PullSecret secret;
  secret.name = "web-pull";
  secret.namespace_name = "shop";
  secret.registry = "127.0.0.1:5000";
  secret.object = RenderPullSecret("web-pull", "shop", "web", "127.0.0.1:5000", Basic("alice", "pw"));
  EXPECT_EQ(CompareWithLive(secret, std::nullopt), PullSecretChange::kCreate);
  EXPECT_EQ(CompareWithLive(secret, secret.object), PullSecretChange::kUnchanged);
  nlohmann::json rotated = RenderPullSecret("web-pull", "shop", "web", "127.0.0.1:5000", Basic("alice", "pw2"));
  EXPECT_EQ(CompareWithLive(secret, rotated), PullSecretChange::kUpdate);
  nlohmann::json moved = RenderPullSecret("web-pull", "shop", "web", "127.0.0.1:6000", Basic("alice", "pw"));
  EXPECT_EQ(CompareWithLive(secret, moved), PullSecretChange::kUpdate);
  nlohmann::json theirs = secret.object;
  theirs["metadata"]["labels"].erase("app.kubernetes.io/managed-by");
  Error error = ErrorOf([&] { CompareWithLive(secret, theirs); });
  EXPECT_EQ(error.code(), ErrorCode::kDeploy);
  EXPECT_EQ(std::string(error.what()),
            "Secret shop/web-pull exists and berth does not manage it (no app.kubernetes.io/managed-by=berth label), so "
            "berth leaves it alone; name another pull_secret, or list it in image_pull_secrets");
}

}  // namespace
}  // namespace berth::k8s
