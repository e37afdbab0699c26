// The two complete berth.yaml examples in docs/examples/ stay valid: berth
// loads each, its plugins accept every setting, and `berth deploy --dry-run`
// prints the plan with no cluster and no atlas CLI at hand (nothing is
// contacted: the targets say why the live state is unknown).
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "berth/util/fs.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

const std::string kDigest = "@sha256:" + std::string(64, 'c');

class DocsExamplesE2eTest : public ::testing::Test {
 protected:
  void CopyExample(const std::string& name) {
    fs::copy(fs::path(BERTH_SOURCE_DIR) / "docs" / "examples" / name, berth_.work_dir(), fs::copy_options::recursive);
  }
  static bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

  BerthRunner berth_;
};

TEST_F(DocsExamplesE2eTest, MicrosPrototypeRendersAValidDescriptorAndPlansOffline) {
  CopyExample("micros-prototype");
  const std::string image = "docker.atl-paas.net/ai-labs/ai-prototype" + kDigest;
  ProcessResult rendered = berth_.Run({"micros", "descriptor", "render", "--env", "ddev", "--image", image, "--version", "0.3.0"});
  ASSERT_EQ(rendered.exit_code, 0) << Describe(rendered);
  EXPECT_TRUE(Contains(rendered.stdout_data, "tag: \"app-0.3.0\"\n")) << rendered.stdout_data;
  // What the service needs, under the guide's names, each from the stash.
  std::set<std::string> referenced;
  const std::regex ssm(R"re(([A-Z_]+): "\(\(ssm:/ai-prototype/([A-Z_]+)\)\)")re");
  for (std::sregex_iterator it(rendered.stdout_data.begin(), rendered.stdout_data.end(), ssm), end; it != end; ++it) {
    EXPECT_EQ((*it)[1], (*it)[2]);
    referenced.insert((*it)[2]);
  }
  EXPECT_EQ(referenced, (std::set<std::string>{"AI_GATEWAY_CLOUD_ID", "AI_GATEWAY_URL", "AI_GATEWAY_USE_CASE_ID", "AI_GATEWAY_USER_ID",
                                               "ASAP_AUDIENCE", "ASAP_ISSUER", "ASAP_KEY_ID", "ASAP_PRIVATE_KEY"}));
  // And `secrets sync ddev` fills exactly those from .env.local and .asap-config.
  ProcessResult keygen = berth_.Run({"asap", "keygen", "--issuer", "micros/ai-prototype", "-a", "ai-gateway"});
  ASSERT_EQ(keygen.exit_code, 0) << Describe(keygen);
  WriteFileAtomic(berth_.work_dir() / ".env.local", "AI_GATEWAY_URL=https://gateway.example\nAI_GATEWAY_USE_CASE_ID=caid-proto\n"
                  "AI_GATEWAY_CLOUD_ID=local-testing\nAI_GATEWAY_USER_ID=dev@example.com\n", 0600);
  std::set<std::string> synced;
  for (const auto& entry : berth_.Json({"secrets", "diff", "ddev", "--store", "file"})) synced.insert(entry["name"]);
  EXPECT_EQ(synced, referenced);
  WriteFileAtomic(berth_.work_dir() / "rendered.yml", rendered.stdout_data);
  ProcessResult validated = berth_.Run({"micros", "descriptor", "validate", "rendered.yml"});
  EXPECT_EQ(validated.exit_code, 0) << Describe(validated);

  // No atlas on PATH: the plan still shows the descriptor, and says what it could not check.
  berth_.SetEnv("PATH", "/usr/bin:/bin");
  ProcessResult planned = berth_.Run({"deploy", "ddev", "--image", image, "--version", "0.3.0", "--dry-run", "-o", "json"});
  ASSERT_EQ(planned.exit_code, 0) << Describe(planned);
  json plan = json::parse(planned.stdout_data);
  ASSERT_GE(plan["actions"].size(), 4u) << plan.dump(2);
  EXPECT_EQ(plan["actions"][0], "create Micros service ai-prototype if it does not exist (--no-sd)");
  EXPECT_TRUE(Contains(plan["actions"][1], "deploy " + image + " to ai-prototype in ddev")) << plan["actions"][1];
  EXPECT_EQ(plan["actions"][2], "run atlas (not found) micros service deploy --service ai-prototype --env ddev --file service-descriptor.yml");
  EXPECT_TRUE(Contains(plan["actions"][3], "/api/health to answer 2xx")) << plan["actions"][3];
  EXPECT_TRUE(plan["diff"].get<std::string>().starts_with("unknown: atlas was not asked (")) << plan["diff"];
  EXPECT_TRUE(Contains(plan["documents"][0]["content"], "tag: \"app-0.3.0\""));
  EXPECT_TRUE(Contains(planned.stderr_data, "warning: micros: cannot ask atlas about ai-prototype in ddev")) << planned.stderr_data;
}

TEST_F(DocsExamplesE2eTest, GhcrGcpKubernetesServicePlansOfflineWithItsSigningPolicy) {
  CopyExample("ghcr-gcp-k8s");
  // pull_secret hands the ghcr.io login to the cluster: the example says so
  // and is used once trusted, as its reader would.
  {
    ProcessResult refused = berth_.Run({"deploy", "staging", "--image", "ghcr.io/acme/shop-api" + kDigest, "--dry-run"});
    EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
    EXPECT_TRUE(Contains(refused.stderr_data, "environments.staging.target.pull_secret hands your registry credentials"))
        << refused.stderr_data;
  }
  berth_.TrustProjects();
  const std::string token = "ghp_docsExampleToken0123456789abcdefABCD";
  berth_.SetEnv("GH_TOKEN", token);
  const std::string image = "ghcr.io/acme/shop-api" + kDigest;
  for (const std::string environment : {"staging", "production"}) {
    ProcessResult planned = berth_.Run({"deploy", environment, "--image", image, "--version", "1.4.2", "--dry-run", "-o", "json"});
    ASSERT_EQ(planned.exit_code, 0) << Describe(planned);
    EXPECT_FALSE(Contains(planned.stdout_data + planned.stderr_data, token));
    json plan = json::parse(planned.stdout_data);
    std::vector<std::string> actions = {"verify the image's signatures with cosign.pub (signing.required) before deploying"};
    if (environment == "staging") actions.push_back("create Namespace shop unless it exists");
    actions.push_back("create or update Secret shop/shop-api-pull (kubernetes.io/dockerconfigjson for ghcr.io from berth's "
                      "credential; value not shown)");
    actions.push_back("apply Service shop/shop-api (server-side, field manager berth)");
    actions.push_back("apply Deployment shop/shop-api (server-side, field manager berth)");
    EXPECT_EQ(plan["actions"].get<std::vector<std::string>>(), actions) << plan.dump(2);
    EXPECT_TRUE(plan["diff"].get<std::string>().starts_with("unknown: the cluster was not asked (")) << plan["diff"];
    const json& deployment = plan["documents"][1];
    EXPECT_EQ(deployment["kind"], "Deployment");
    EXPECT_EQ(deployment["spec"]["replicas"], environment == "staging" ? 2 : 4);
    const json& container = deployment["spec"]["template"]["spec"]["containers"][0];
    EXPECT_EQ(container["image"], image);
    EXPECT_EQ(container["envFrom"][0]["secretRef"]["name"], "shop-api-env");
    bool database_from_secret = false;
    for (const auto& variable : container["env"]) {
      if (variable["name"] == "DATABASE_URL") {
        database_from_secret = variable["valueFrom"]["secretKeyRef"] == json({{"name", "shop-db"}, {"key", "url"}});
      }
    }
    EXPECT_TRUE(database_from_secret) << container.dump(2);
    EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"], "/healthz");
    EXPECT_EQ(deployment["spec"]["template"]["spec"]["imagePullSecrets"], json::parse(R"([{"name": "shop-api-pull"}])"));
  }
}

}  // namespace
}  // namespace berth::testing
