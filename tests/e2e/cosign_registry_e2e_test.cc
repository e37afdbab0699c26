// berth sign / verify / copy against the real docker-registry (plain HTTP and
// token auth), with skopeo and openssl as independent checkers of what lands
// in the registry.
#include <gtest/gtest.h>

#include <set>

#include "berth/util/base64.h"
#include "berth/util/digest.h"
#include "berth/util/fs.h"
#include "berth/util/process.h"
#include "berth_runner.h"
#include "test_peer.h"

namespace berth::testing {
namespace {

const std::filesystem::path kCosignTestData = COSIGN_TESTDATA;

ProcessResult Tool(const std::vector<std::string>& argv, const std::filesystem::path& cwd, const std::string& stdin_data = "") {
  ProcessOptions options;
  options.cwd = cwd;
  options.stdin_data = stdin_data;
  options.timeout = std::chrono::seconds(60);
  return RunProcess(argv, options);
}

std::string SigTag(const std::string& digest) { return "sha256-" + digest.substr(7) + ".sig"; }

class CosignRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = StartRegistry("plain");
    host_ = registry_->host();
    berth_.SetEnv("COSIGN_PASSWORD", "sign-pass");
    ASSERT_EQ(Berth({"keygen"}).exit_code, 0);
  }

  // berth, with --plain-http for this test's registries on commands that reach them.
  ProcessResult Berth(std::vector<std::string> args, const std::string& stdin_data = "") {
    static const std::set<std::string> kRegistryCommands = {"push", "copy", "inspect", "tags", "sign", "verify"};
    if (kRegistryCommands.count(args[0])) {
      args.insert(args.end(), {"--plain-http", host_});
      for (const auto& extra : extra_hosts_) args.insert(args.end(), {"--plain-http", extra});
    }
    return berth_.Run(args, stdin_data);
  }
  nlohmann::json BerthJson(std::vector<std::string> args) {
    args.insert(args.end(), {"-o", "json"});
    ProcessResult result = Berth(args);
    EXPECT_EQ(result.exit_code, 0) << Describe(result);
    return nlohmann::json::parse(result.stdout_data, nullptr, false);
  }

  // Pushes a one-layer image (its content from `text`) as host/repo:tag; returns its digest.
  std::string PushImage(const std::string& repo_tag, const std::string& text, const std::string& host = "") {
    std::string dir = "image-" + std::to_string(images_++);
    ProcessResult made = Tool({"/usr/bin/python3", SourceDir() + "/tests/peers/registry/make_oci_image.py", dir, "--tag", "v",
                               "--payload", text},
                              berth_.work_dir());
    EXPECT_EQ(made.exit_code, 0) << made.stderr_data;
    ProcessResult pushed = Berth({"push", "oci:" + dir + ":v", (host.empty() ? host_ : host) + "/" + repo_tag});
    EXPECT_EQ(pushed.exit_code, 0) << Describe(pushed);
    std::string digest = made.stdout_data.substr(0, made.stdout_data.find('\n'));
    return digest;
  }

  // Pushes a hand-made .sig manifest: layers of (payload, annotations).
  void PushSignatureManifest(const std::string& repo_tag,
                             const std::vector<std::pair<std::string, std::map<std::string, std::string>>>& layers) {
    std::filesystem::path dir = berth_.work_dir() / ("crafted-" + std::to_string(images_++));
    std::filesystem::create_directories(dir / "blobs" / "sha256");
    auto blob = [&](const std::string& bytes) {
      Digest digest = Digest::Of(bytes);
      WriteFileAtomic(dir / "blobs" / "sha256" / digest.hex(), bytes);
      return digest;
    };
    nlohmann::json layer_list = nlohmann::json::array();
    nlohmann::json diff_ids = nlohmann::json::array();
    for (const auto& [payload, annotations] : layers) {
      Digest digest = blob(payload);
      layer_list.push_back({{"mediaType", "application/vnd.dev.cosign.simplesigning.v1+json"},
                            {"size", payload.size()}, {"digest", digest.str()}, {"annotations", annotations}});
      diff_ids.push_back(digest.str());
    }
    std::string config = nlohmann::json({{"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}, {"config", nlohmann::json::object()}}).dump();
    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                               {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"size", config.size()},
                                           {"digest", blob(config).str()}}},
                               {"layers", layer_list}};
    std::string manifest_bytes = manifest.dump();
    Digest manifest_digest = blob(manifest_bytes);
    WriteFileAtomic(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    WriteFileAtomic(dir / "index.json",
                    nlohmann::json({{"schemaVersion", 2},
                                    {"manifests", {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                                    {"digest", manifest_digest.str()}, {"size", manifest_bytes.size()},
                                                    {"annotations", {{"org.opencontainers.image.ref.name", "sig"}}}}}}})
                        .dump());
    ProcessResult pushed = Berth({"push", "oci:" + dir.string() + ":sig", host_ + "/" + repo_tag});
    ASSERT_EQ(pushed.exit_code, 0) << Describe(pushed);
  }

  // The .sig manifest as an independent client (skopeo) fetches it, with its blobs.
  nlohmann::json SkopeoFetchSignatures(const std::string& repo, const std::string& digest, const std::filesystem::path& out) {
    WriteFileAtomic(berth_.work_dir() / "policy.json", R"({"default":[{"type":"insecureAcceptAnything"}]})");
    ProcessResult copied = Tool({"skopeo", "copy", "--policy", "policy.json", "--src-tls-verify=false",
                                 "docker://" + host_ + "/" + repo + ":" + SigTag(digest), "dir:" + out.string()},
                                berth_.work_dir());
    EXPECT_EQ(copied.exit_code, 0) << copied.stderr_data;
    return nlohmann::json::parse(ReadFile(out / "manifest.json"), nullptr, false);
  }

  std::unique_ptr<TestPeer> registry_;
  std::string host_;
  std::vector<std::string> extra_hosts_;
  BerthRunner berth_;
  int images_ = 0;
};

TEST_F(CosignRegistryTest, SignAppendsSkipsDuplicatesAndVerifies) {
  std::string digest = PushImage("team/app:v1", "app v1\n");
  nlohmann::json signed_once = BerthJson({"sign", host_ + "/team/app:v1", "--key", "cosign.key"});
  EXPECT_EQ(signed_once["action"], "signed");
  EXPECT_EQ(signed_once["digest"], digest);
  EXPECT_EQ(signed_once["image"], host_ + "/team/app@" + digest);
  EXPECT_EQ(signed_once["signature"], host_ + "/team/app:" + SigTag(digest));

  nlohmann::json again = BerthJson({"sign", host_ + "/team/app@" + digest, "--key", "cosign.key"});
  EXPECT_EQ(again["action"], "already signed");
  EXPECT_EQ(again["signature_digest"], signed_once["signature_digest"]);
  nlohmann::json annotated = BerthJson({"sign", host_ + "/team/app:v1", "--key", "cosign.key", "-a", "env=prod", "-a", "team=payments"});
  EXPECT_EQ(annotated["action"], "signed");
  EXPECT_NE(annotated["signature_digest"], signed_once["signature_digest"]);

  nlohmann::json verified = BerthJson({"verify", host_ + "/team/app:v1", "--key", "cosign.pub"});
  EXPECT_EQ(verified["verified"], true);
  ASSERT_EQ(verified["signatures"].size(), 2u);
  EXPECT_EQ(verified["signatures"][0]["outcome"], "valid");
  EXPECT_EQ(verified["signatures"][1]["payload"]["optional"], nlohmann::json({{"env", "prod"}, {"team", "payments"}}));
  EXPECT_EQ(verified["signatures"][1]["payload"]["critical"]["identity"]["docker-reference"], host_ + "/team/app");

  nlohmann::json required = BerthJson({"verify", host_ + "/team/app:v1", "--key", "cosign.pub", "-a", "env=prod"});
  EXPECT_EQ(required["signatures"][0]["outcome"], "annotation-mismatch");
  EXPECT_EQ(required["signatures"][1]["valid"], true);

  ProcessResult mismatch = Berth({"verify", host_ + "/team/app:v1", "--key", "cosign.pub", "-a", "env=dev"});
  EXPECT_EQ(mismatch.exit_code, 5);
  EXPECT_EQ(mismatch.stderr_data, "error: no valid signature for " + host_ + "/team/app@" + digest +
                                      ": annotation env=dev is not in the payload; annotation env is \"prod\", not \"dev\"\n");
}

TEST_F(CosignRegistryTest, SkopeoFetchesWhatBerthSignedAndOpensslVerifiesIt) {
  std::string digest = PushImage("team/app:v1", "app v1\n");
  ASSERT_EQ(Berth({"sign", host_ + "/team/app:v1", "--key", "cosign.key", "-a", "build=42"}).exit_code, 0);
  std::filesystem::path out = berth_.work_dir() / "sig-dir";
  nlohmann::json manifest = SkopeoFetchSignatures("team/app", digest, out);
  EXPECT_EQ(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(manifest["config"]["mediaType"], "application/vnd.oci.image.config.v1+json");
  ASSERT_EQ(manifest["layers"].size(), 1u);
  const nlohmann::json& layer = manifest["layers"][0];
  EXPECT_EQ(layer["mediaType"], "application/vnd.dev.cosign.simplesigning.v1+json");
  std::string payload_file = (out / layer["digest"].get<std::string>().substr(7)).string();
  nlohmann::json payload = nlohmann::json::parse(ReadFile(payload_file));
  EXPECT_EQ(payload["critical"]["image"]["docker-manifest-digest"], digest);
  EXPECT_EQ(payload["critical"]["type"], "cosign container image signature");
  EXPECT_EQ(payload["optional"], nlohmann::json({{"build", "42"}}));
  WriteFileAtomic(berth_.work_dir() / "sig.der",
                  Base64Decode(layer["annotations"]["dev.cosignproject.cosign/signature"].get<std::string>()).value());
  ProcessResult checked = Tool({"openssl", "dgst", "-sha256", "-verify", "cosign.pub", "-signature", "sig.der", payload_file},
                               berth_.work_dir());
  EXPECT_EQ(checked.stdout_data, "Verified OK\n") << checked.stderr_data;
}

TEST_F(CosignRegistryTest, EachFailureHasItsOwnMessage) {
  std::string v1 = PushImage("team/app:v1", "app v1\n");
  std::string v2 = PushImage("team/app:v2", "app v2\n");
  ASSERT_EQ(Berth({"sign", host_ + "/team/app:v1", "--key", "cosign.key"}).exit_code, 0);
  std::string image = host_ + "/team/app@" + v1;

  // Nothing signed yet.
  ProcessResult none = Berth({"verify", host_ + "/team/app:v2", "--key", "cosign.pub"});
  EXPECT_EQ(none.exit_code, 5);
  EXPECT_EQ(none.stderr_data, "error: no signatures found for " + host_ + "/team/app@" + v2 + " (looked in " + host_ + "/team/app:" +
                                  SigTag(v2) + ")\n");

  // Another key.
  ASSERT_EQ(Berth({"keygen", "--output-key-prefix", "other"}).exit_code, 0);
  ProcessResult wrong = Berth({"verify", host_ + "/team/app:v1", "--key", "other.pub"});
  EXPECT_EQ(wrong.exit_code, 5);
  std::string signer_id = BerthJson({"cosign", "public-key", "--key", "cosign.key", "--outfile", "again.pub"})["key_id"];
  std::string other_id = BerthJson({"cosign", "public-key", "--key", "other.key", "--outfile", "other-again.pub"})["key_id"];
  EXPECT_EQ(wrong.stderr_data, "error: no valid signature for " + image + ": signed with another key (" + signer_id +
                                   "), not other.pub (" + other_id + ")\n");

  // A valid signature of v1 moved under v2's tag.
  ASSERT_EQ(Berth({"copy", host_ + "/team/app:" + SigTag(v1), host_ + "/team/app:" + SigTag(v2)}).exit_code, 0);
  ProcessResult moved = Berth({"verify", host_ + "/team/app:v2", "--key", "cosign.pub"});
  EXPECT_EQ(moved.exit_code, 5);
  EXPECT_EQ(moved.stderr_data, "error: no valid signature for " + host_ + "/team/app@" + v2 + ": signature is for another image: " + v1 + "\n");

  // The payload rewritten (to claim v2) by someone who can push, keeping the signature.
  nlohmann::json stored = BerthJson({"verify", host_ + "/team/app:v1", "--key", "cosign.pub"});
  nlohmann::json inspect = nlohmann::json::parse(Berth({"inspect", "--raw", host_ + "/team/app:" + SigTag(v1)}).stdout_data);
  std::map<std::string, std::string> annotations = inspect["layers"][0]["annotations"];
  std::string forged = stored["signatures"][0]["payload"].dump();
  forged.replace(forged.find(v1), v1.size(), v2);
  PushSignatureManifest("team/app:" + SigTag(v2), {{forged, annotations}});
  ProcessResult tampered = Berth({"verify", host_ + "/team/app:v2", "--key", "cosign.pub"});
  EXPECT_EQ(tampered.exit_code, 5);
  EXPECT_EQ(tampered.stderr_data, "error: no valid signature for " + host_ + "/team/app@" + v2 +
                                      ": the payload was modified after it was signed: the signature by cosign.pub does not cover it\n");

  // The same without berth's key id, as a cosign-made signature would be.
  annotations.erase("dev.berth.cosign/key-id");
  PushSignatureManifest("team/app:" + SigTag(v2), {{forged, annotations}});
  ProcessResult bare = Berth({"verify", host_ + "/team/app:v2", "--key", "cosign.pub", "-o", "json"});
  EXPECT_EQ(bare.exit_code, 5);
  EXPECT_EQ(nlohmann::json::parse(bare.stdout_data)["signatures"][0]["outcome"], "bad-signature");

  // A malformed but validly signed payload.
  std::string junk = R"({"critical":{"type":"something else"}})";
  WriteFileAtomic(berth_.work_dir() / "junk.json", junk);
  ProcessResult junk_sig = Berth({"cosign", "sign-blob", "--key", "cosign.key", "junk.json"});
  ASSERT_EQ(junk_sig.exit_code, 0) << Describe(junk_sig);
  std::string junk_signature = junk_sig.stdout_data.substr(0, junk_sig.stdout_data.size() - 1);
  PushSignatureManifest("team/app:" + SigTag(v2), {{junk, {{"dev.cosignproject.cosign/signature", junk_signature}}}});
  ProcessResult malformed = Berth({"verify", host_ + "/team/app:v2", "--key", "cosign.pub"});
  EXPECT_EQ(malformed.exit_code, 5);
  EXPECT_EQ(malformed.stderr_data, "error: no valid signature for " + host_ + "/team/app@" + v2 +
                                       ": malformed payload: critical.type is \"something else\", not \"cosign container image signature\"\n");

  // The payload blob changed inside the registry's storage: the bytes no longer match their digest.
  std::string payload_digest = stored["signatures"][0]["id"];
  std::filesystem::path data = std::filesystem::path(registry_->ready()["storage_dir"].get<std::string>()) / "docker" / "registry" /
                               "v2" / "blobs" / "sha256" / payload_digest.substr(7, 2) / payload_digest.substr(7) / "data";
  ASSERT_TRUE(std::filesystem::exists(data)) << data;
  std::string bytes = ReadFile(data);
  bytes[bytes.find("cosign container")] = 'C';
  WriteFileAtomic(data, bytes);
  ProcessResult modified = Berth({"verify", host_ + "/team/app:v1", "--key", "cosign.pub", "-o", "json"});
  EXPECT_EQ(modified.exit_code, 5) << Describe(modified);
  nlohmann::json report = nlohmann::json::parse(modified.stdout_data, nullptr, false);
  EXPECT_EQ(report["signatures"][0]["outcome"], "blob-modified") << modified.stdout_data;
  EXPECT_NE(modified.stderr_data.find("digest mismatch"), std::string::npos) << modified.stderr_data;
}

TEST_F(CosignRegistryTest, CosignRepositoryKeepsSignaturesElsewhere) {
  std::string digest = PushImage("team/app:v1", "app v1\n");
  berth_.SetEnv("COSIGN_REPOSITORY", host_ + "/signatures/app");
  nlohmann::json signed_result = BerthJson({"sign", host_ + "/team/app:v1", "--key", "cosign.key"});
  EXPECT_EQ(signed_result["signature"], host_ + "/signatures/app:" + SigTag(digest));
  EXPECT_EQ(BerthJson({"verify", host_ + "/team/app:v1", "--key", "cosign.pub"})["verified"], true);
  std::string tags = Berth({"tags", host_ + "/team/app", "-o", "json"}).stdout_data;
  EXPECT_EQ(tags.find(".sig"), std::string::npos) << tags;
  berth_.SetEnv("COSIGN_REPOSITORY", "");
  ProcessResult elsewhere = Berth({"verify", host_ + "/team/app:v1", "--key", "cosign.pub"});
  EXPECT_EQ(elsewhere.exit_code, 5);
  EXPECT_NE(elsewhere.stderr_data.find("no signatures found"), std::string::npos) << elsewhere.stderr_data;
}

TEST_F(CosignRegistryTest, RealCosignKeySignsAndItsPublicKeyVerifies) {
  for (const char* name : {"sigstore-ec.key", "sigstore-ec.pub", "cosign-ec.key", "cosign-ec.pub"}) {
    std::filesystem::copy_file(kCosignTestData / name, berth_.work_dir() / name);
  }
  PushImage("team/app:v1", "app v1\n");
  berth_.SetEnv("COSIGN_PASSWORD", "hello");
  ASSERT_EQ(Berth({"sign", host_ + "/team/app:v1", "--key", "sigstore-ec.key"}).exit_code, 0);
  EXPECT_EQ(BerthJson({"verify", host_ + "/team/app:v1", "--key", "sigstore-ec.pub"})["verified"], true);
  ProcessResult other = Berth({"verify", host_ + "/team/app:v1", "--key", "cosign-ec.pub"});
  EXPECT_EQ(other.exit_code, 5);
  ProcessResult bad_password = Berth({"sign", host_ + "/team/app:v1", "--key", "cosign-ec.key"}, "");
  EXPECT_EQ(bad_password.exit_code, 0) << Describe(bad_password);  // Same password "hello"; appends a second signature.
  EXPECT_EQ(BerthJson({"verify", host_ + "/team/app:v1", "--key", "cosign-ec.pub"})["verified"], true);
}

TEST_F(CosignRegistryTest, WrongPasswordFailsBeforeTheRegistry) {
  PushImage("team/app:v1", "app v1\n");
  berth_.SetEnv("COSIGN_PASSWORD", "not-it");
  ProcessResult result = Berth({"sign", host_ + "/team/app:v1", "--key", "cosign.key"});
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_EQ(result.stderr_data, "error: cosign: sign: cosign.key: wrong password (or the encrypted key was altered)\n");
  ProcessResult missing = Berth({"verify", host_ + "/team/nothing:v1", "--key", "cosign.pub"});
  EXPECT_EQ(missing.exit_code, 6) << Describe(missing);
}

TEST_F(CosignRegistryTest, CopyCarriesSignaturesToAnotherRegistry) {
  auto production = StartRegistry("plain");
  extra_hosts_.push_back(production->host());
  std::string digest = PushImage("team/app:v1", "app v1\n");
  ASSERT_EQ(Berth({"sign", host_ + "/team/app:v1", "--key", "cosign.key"}).exit_code, 0);
  nlohmann::json copied = BerthJson({"copy", host_ + "/team/app:v1", production->host() + "/prod/app:v1"});
  ASSERT_EQ(copied["signatures"].size(), 1u);
  EXPECT_EQ(copied["signatures"][0]["tag"], SigTag(digest));
  nlohmann::json verified = BerthJson({"verify", production->host() + "/prod/app:v1", "--key", "cosign.pub"});
  EXPECT_EQ(verified["verified"], true);
  EXPECT_EQ(verified["signature"], production->host() + "/prod/app:" + SigTag(digest));

  nlohmann::json bare = BerthJson({"copy", host_ + "/team/app:v1", production->host() + "/bare/app:v1", "--no-signatures"});
  EXPECT_FALSE(bare.contains("signatures"));
  EXPECT_EQ(Berth({"verify", production->host() + "/bare/app:v1", "--key", "cosign.pub"}).exit_code, 5);
}

TEST_F(CosignRegistryTest, BundleReferrersOnARegistryWithoutTheReferrersApi) {
  std::string digest = PushImage("team/app:v1", "app v1\n");
  nlohmann::json signed_result = BerthJson({"sign", host_ + "/team/app:v1", "--key", "cosign.key", "--setting", "format=bundle"});
  EXPECT_EQ(signed_result["action"], "signed");
  std::string referrer = signed_result["signature_digest"];
  EXPECT_EQ(signed_result["signature"], host_ + "/team/app@" + referrer);
  EXPECT_EQ(BerthJson({"sign", host_ + "/team/app:v1", "--key", "cosign.key", "--setting", "format=bundle"})["action"], "already signed");

  // docker-registry 2.8 has no referrers API: the fallback index tag lists the referrer.
  nlohmann::json index = nlohmann::json::parse(Berth({"inspect", "--raw", host_ + "/team/app:sha256-" + digest.substr(7)}).stdout_data);
  ASSERT_EQ(index["manifests"].size(), 1u);
  EXPECT_EQ(index["manifests"][0]["digest"], referrer);
  EXPECT_EQ(index["manifests"][0]["artifactType"], "application/vnd.dev.sigstore.bundle.v0.3+json");
  nlohmann::json manifest = nlohmann::json::parse(Berth({"inspect", "--raw", host_ + "/team/app@" + referrer}).stdout_data);
  EXPECT_EQ(manifest["subject"]["digest"], digest);

  // curl fetches the bundle, python3-cryptography checks its DSSE signature.
  ProcessResult fetched = Tool({"curl", "-sf", "-o", "bundle.json",
                                "http://" + host_ + "/v2/team/app/blobs/" + manifest["layers"][0]["digest"].get<std::string>()},
                               berth_.work_dir());
  ASSERT_EQ(fetched.exit_code, 0) << fetched.stderr_data;
  ProcessResult checked = Tool({"/usr/bin/python3", (kCosignTestData / "verify_bundle.py").string(), "bundle.json", "cosign.pub"}, berth_.work_dir());
  ASSERT_EQ(checked.exit_code, 0) << checked.stderr_data;
  nlohmann::json statement = nlohmann::json::parse(checked.stdout_data);
  EXPECT_EQ(statement["predicateType"], "https://sigstore.dev/cosign/sign/v1");
  EXPECT_EQ(statement["subjects"], nlohmann::json::parse(R"([{"sha256":")" + digest.substr(7) + R"("}])"));

  nlohmann::json verified = BerthJson({"verify", host_ + "/team/app:v1", "--key", "cosign.pub"});
  ASSERT_EQ(verified["signatures"].size(), 1u);
  EXPECT_EQ(verified["signatures"][0]["format"], "bundle");
  EXPECT_EQ(verified["signatures"][0]["valid"], true);
  ASSERT_EQ(Berth({"keygen", "--output-key-prefix", "other"}).exit_code, 0);
  ProcessResult wrong = Berth({"verify", host_ + "/team/app:v1", "--key", "other.pub"});
  EXPECT_EQ(wrong.exit_code, 5);
  EXPECT_NE(wrong.stderr_data.find(": signed with another key (hint "), std::string::npos) << wrong.stderr_data;

  // Promotion carries the referrers index and the bundle.
  auto production = StartRegistry("plain");
  extra_hosts_.push_back(production->host());
  nlohmann::json copied = BerthJson({"copy", host_ + "/team/app:v1", production->host() + "/prod/app:v1"});
  EXPECT_EQ(copied["signatures"].size(), 1u);
  EXPECT_EQ(BerthJson({"verify", production->host() + "/prod/app:v1", "--key", "cosign.pub"})["verified"], true);
}

// Token auth: the registry trusts a token server; berth logs in, and the
// token's scopes decide who may sign (push) and who may only verify (pull).
TEST(CosignTokenRegistryTest, SignAndVerifyThroughTokenAuth) {
  auto registry = StartRegistry("token");
  std::string host = registry->host();
  BerthRunner berth;
  berth.SetEnv("COSIGN_PASSWORD", "");
  auto run = [&](std::vector<std::string> args, const std::string& stdin_data = "") {
    if (args[0] != "keygen" && args[0] != "logout") args.insert(args.end(), {"--plain-http", host});
    return berth.Run(args, stdin_data);
  };
  ASSERT_EQ(run({"keygen"}).exit_code, 0);
  std::string alice = registry->ready()["users"]["alice"];
  ASSERT_EQ(run({"login", host, "-u", "alice", "--password-stdin"}, alice + "\n").exit_code, 0);
  ProcessResult made = RunProcess({"/usr/bin/python3", SourceDir() + "/tests/peers/registry/make_oci_image.py",
                                   (berth.work_dir() / "img").string(), "--tag", "v1"});
  ASSERT_EQ(made.exit_code, 0);
  ASSERT_EQ(run({"push", "oci:img:v1", host + "/team/app:v1"}).exit_code, 0);
  ProcessResult signed_result = run({"sign", host + "/team/app:v1", "--key", "cosign.key"});
  ASSERT_EQ(signed_result.exit_code, 0) << Describe(signed_result);
  ProcessResult verified = run({"verify", host + "/team/app:v1", "--key", "cosign.pub"});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);

  // A pull-only user verifies, but may not add a signature.
  ASSERT_EQ(run({"logout", host}).exit_code, 0);
  std::string reader = registry->ready()["users"]["reader"];
  ASSERT_EQ(run({"login", host, "-u", "reader", "--password-stdin"}, reader + "\n").exit_code, 0);
  EXPECT_EQ(run({"verify", host + "/team/app:v1", "--key", "cosign.pub"}).exit_code, 0);
  ProcessResult denied = run({"sign", host + "/team/app:v1", "--key", "cosign.key", "-a", "by=reader"});
  EXPECT_EQ(denied.exit_code, 7) << Describe(denied);
  EXPECT_EQ(denied.stderr_data.find(reader), std::string::npos);
}

}  // namespace
}  // namespace berth::testing
