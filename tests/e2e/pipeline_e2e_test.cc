// The whole release pipeline as a user runs it: berth's own builder on a base
// image, pushes to two real docker-registry instances at once (one plain, one
// with token auth), cosign signatures that the signing policy checks before
// every deploy, the Kubernetes API server stand-in as the deploy target, a
// release whose health check fails and is rolled back automatically, the
// ledger's content, and a later release that uploads no unchanged layer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <regex>
#include <thread>

#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"
#include "health_endpoint.h"
#include "kube_standin.h"
#include "test_image.h"
#include "test_peer.h"

namespace berth::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

// The service is healthy unless the version the test calls broken is live:
// a thread watches the Deployment's berth.dev/version annotation and sets
// the health endpoint's answer, as a broken build would.
class VersionHealth {
 public:
  VersionHealth(const KubeStandin& standin, std::string broken_version)
      : standin_(standin), broken_(std::move(broken_version)), thread_([this] { Watch(); }) {}
  ~VersionHealth() {
    stop_ = true;
    thread_.join();
  }
  const HealthEndpoint& endpoint() const { return endpoint_; }

 private:
  void Watch() {
    while (!stop_) {
      auto response = standin_.Call("GET", "/apis/apps/v1/namespaces/shop/deployments/hello");
      json deployment = response.Json();
      std::string version;
      if (response.status == 200 && deployment.contains("metadata")) {
        version = deployment["metadata"].value("annotations", json::object()).value("berth.dev/version", "");
      }
      endpoint_.set_status(version == broken_ ? 503 : 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  const KubeStandin& standin_;
  const std::string broken_;
  HealthEndpoint endpoint_{200};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// How many times docker-registry accepted each blob (a completed upload is a
// PUT carrying ?digest=, answered 201), from its own access log.
std::map<std::string, int> CompletedUploads(const TestPeer& registry) {
  std::map<std::string, int> uploads;
  std::string log = ReadFile(registry.ready()["log_file"].get<std::string>());
  // The access log's line for each request: "PUT /v2/NAME/blobs/uploads/ID?...&digest=sha256%3AHEX HTTP/1.1" 201
  std::regex put(R"re("PUT [^" ]*/blobs/uploads/[^" ]*digest=sha256(?::|%3A)([0-9a-f]{64})[^"]*" 201 )re");
  for (std::sregex_iterator it(log.begin(), log.end(), put), end; it != end; ++it) ++uploads["sha256:" + (*it)[1].str()];
  return uploads;
}

class PipelineE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    berth_.SetEnv("SOURCE_DATE_EPOCH", "1700000000");
    berth_.SetEnv("COSIGN_PASSWORD", "pipeline-test-password");
    a_ = StartRegistry("plain");
    b_ = StartRegistry("token");
    // A base image with two layers of its own, in an OCI layout.
    TestLayout base(berth_.work_dir() / "base");
    base.Tag(base.AddImage("linux/amd64", {300 * 1024, 200 * 1024}, 7), "v1");
    CreateDirectories(berth_.work_dir() / "site");
    WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>hello 1.0.0</h1>\n");
    WriteFileAtomic(berth_.work_dir() / "berth.yaml",
                    "service: hello\n"
                    "image: " + a_->host() + "/team/hello\n"
                    "build:\n"
                    "  context: site\n"
                    "  builder: berth\n"
                    "  base: oci:base:v1\n"
                    "  dest: /srv/www\n"
                    "  entrypoint: [/bin/httpd, -f, -h, /srv/www]\n"
                    "  ports: [8080]\n"
                    "tags: [\"{version}\", \"sha-{git.short}\"]\n"
                    "registries:\n"
                    "  - repository: " + a_->host() + "/team/hello\n"
                    "  - repository: " + b_->host() + "/mirror/hello\n"
                    "signing:\n"
                    "  signer: cosign\n"
                    "  key: cosign.key\n"
                    "  public_key: cosign.pub\n"
                    "  required: true\n"
                    "environments:\n"
                    "  staging:\n"
                    "    target:\n"
                    "      plugin: k8s\n"
                    "      kubeconfig: " + standin_.kubeconfig() + "\n"
                    "      namespace: shop\n"
                    "      replicas: 2\n"
                    "      port: 8080\n"
                    "      url: " + health_.endpoint().url("") + "\n"
                    "    health:\n"
                    "      path: /healthz\n"
                    "      timeout: 3s\n"
                    "      interval: 1s\n"
                    "    immutable_tags: true\n");
    ProcessResult login = berth_.Run({"login", b_->host(), "-u", "alice", "--password-stdin", "--plain-http", b_->host()},
                                     b_->ready()["users"]["alice"].get<std::string>());
    ASSERT_EQ(login.exit_code, 0) << Describe(login);
    auto created = standin_.Call("POST", "/api/v1/namespaces", R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}})");
    ASSERT_EQ(created.status, 201) << created.body;
    ProcessResult keygen = berth_.Run({"keygen"});
    ASSERT_EQ(keygen.exit_code, 0) << Describe(keygen);
    // berth.yaml names a kubeconfig and the signing key: trusted once read,
    // the key included (its content is part of the trust).
    ProcessResult trusted = berth_.Run({"trust"});
    ASSERT_EQ(trusted.exit_code, 0) << Describe(trusted);
    WriteFileAtomic(berth_.work_dir() / ".gitignore", "cosign.key\n.berth/\n");
    berth_.Git({"init", "-q"});
    Commit("1.0.0");
  }

  // Each version is a commit, so sha-{git.short} names one build and the
  // environment's immutable tags never have to move.
  void Commit(const std::string& message) {
    berth_.Git({"add", "-A"});
    berth_.Git({"commit", "-q", "-m", message});
  }

  std::vector<std::string> Release(const std::string& version, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"release", version, "--env", "staging", "--plain-http", a_->host(), "--plain-http", b_->host()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  std::string LiveImage() {
    auto response = standin_.Call("GET", "/apis/apps/v1/namespaces/shop/deployments/hello");
    return response.Json()["spec"]["template"]["spec"]["containers"][0].value("image", "");
  }

  BerthRunner berth_;
  KubeStandin standin_;
  VersionHealth health_{standin_, "1.1.0"};
  std::unique_ptr<TestPeer> a_, b_;
};

TEST_F(PipelineE2eTest, ReleaseDeployFailRollBackAndReuseBlobs) {
  // 1.0.0: built, pushed to both registries, signed, verified, deployed, healthy.
  json first = berth_.Json(Release("1.0.0"));
  const std::string good = a_->host() + "/team/hello@" + first["digest"].get<std::string>();
  ASSERT_EQ(first["deployments"].size(), 1u) << first.dump();
  EXPECT_EQ(first["deployments"][0]["result"], "healthy");
  EXPECT_EQ(LiveImage(), good);
  ASSERT_EQ(first["signatures"].size(), 2u) << first.dump();  // One per registry.
  EXPECT_EQ(berth_.Json({"verify", b_->host() + "/mirror/hello:1.0.0", "--key", "cosign.pub", "--plain-http", b_->host()})["verified"], true);

  // 1.1.0 is broken: its health check fails, and berth rolls staging back to 1.0.0.
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>hello 1.1.0 (broken)</h1>\n");
  Commit("1.1.0");
  ProcessResult failed = berth_.Run(Release("1.1.0", {"--auto-rollback", "-o", "json"}));
  EXPECT_EQ(failed.exit_code, 8) << Describe(failed);
  EXPECT_NE(failed.stderr_data.find("release: rolling back staging to 1.0.0"), std::string::npos) << failed.stderr_data;
  EXPECT_EQ(LiveImage(), good);
  EXPECT_GE(health_.endpoint().requests(), 3);

  // The ledger: both releases, each image by digest, the signatures, and what happened where.
  json ledger = json::parse(ReadFile(berth_.work_dir() / "releases.json"));
  ASSERT_EQ(ledger["releases"].size(), 2u);
  const json& r1 = ledger["releases"][0];
  const json& r2 = ledger["releases"][1];
  EXPECT_EQ(r1["version"], "1.0.0");
  EXPECT_EQ(r1["digest"], first["digest"]);
  const std::string sha = "sha-" + r1["git"]["sha"].get<std::string>().substr(0, 7);
  EXPECT_EQ(r1["images"], json::array({a_->host() + "/team/hello:1.0.0", a_->host() + "/team/hello:" + sha,
                                       b_->host() + "/mirror/hello:1.0.0", b_->host() + "/mirror/hello:" + sha}));
  EXPECT_EQ(r1["signatures"].size(), 2u);
  std::vector<std::string> r1_results;
  for (const auto& deployment : r1["deployments"]) r1_results.push_back(deployment["result"]);
  EXPECT_EQ(r1_results, (std::vector<std::string>{"healthy", "rollback"}));
  ASSERT_EQ(r2["deployments"].size(), 1u);
  EXPECT_EQ(r2["deployments"][0]["environment"], "staging");
  EXPECT_EQ(r2["deployments"][0]["result"], "unhealthy");
  std::string markdown = ReadFile(berth_.work_dir() / "RELEASES.md");
  EXPECT_NE(markdown.find(r2["digest"].get<std::string>()), std::string::npos) << markdown;

  // 1.2.0 fixes it: one changed file, so only its layer and the config go up;
  // the base image's layers were uploaded once, by 1.0.0, to each registry.
  WriteFileAtomic(berth_.work_dir() / "site" / "index.html", "<h1>hello 1.2.0</h1>\n");
  Commit("1.2.0");
  json third = berth_.Json(Release("1.2.0"));
  EXPECT_EQ(third["deployments"][0]["result"], "healthy");
  EXPECT_EQ(LiveImage(), a_->host() + "/team/hello@" + third["digest"].get<std::string>());
  for (const auto& push : third["pushes"]) EXPECT_LE(push["blobs"]["uploaded"].get<int>(), 2) << push.dump();
  for (const TestPeer* registry : {a_.get(), b_.get()}) {
    auto uploads = CompletedUploads(*registry);
    EXPECT_GE(uploads.size(), 2u + 3 * 2) << "base layers + 3 x (app layer, config), plus signatures";
    for (const auto& [digest, count] : uploads) EXPECT_EQ(count, 1) << digest << " was uploaded " << count << " times to " << registry->host();
  }

  // The policy: an image nobody signed is not deployed, and staging keeps running 1.2.0.
  json pushed = berth_.Json({"push", "oci:base:v1", a_->host() + "/team/hello:unsigned", "--plain-http", a_->host()});
  const std::string unsigned_image = a_->host() + "/team/hello@" + pushed["digest"].get<std::string>();
  ProcessResult refused = berth_.Run({"deploy", "staging", "--image", unsigned_image, "--plain-http", a_->host()});
  EXPECT_EQ(refused.exit_code, 5) << Describe(refused);
  EXPECT_NE(refused.stderr_data.find("error: signing policy (berth.yaml signing.required): no signature of " + unsigned_image +
                                     " verifies with cosign.pub"),
            std::string::npos)
      << refused.stderr_data;
  EXPECT_EQ(LiveImage(), a_->host() + "/team/hello@" + third["digest"].get<std::string>());
}

}  // namespace
}  // namespace berth::testing
