// berth's ASAP tokens against independent implementations, both ways:
// npm jose (generic JWT) and Atlassian's jwt-authentication (an ASAP
// validator that fetches keys from a repository, served here on 127.0.0.1).
//
// Needs tests/interop/asap/node_modules, which the CTest fixture
// asap_interop_npm_setup installs (setup_npm.sh); without it every test fails
// with a message saying so.
#include <gtest/gtest.h>

#include "background_server.h"
#include "berth/util/fs.h"
#include "berth/util/jwt.h"
#include "berth/util/process.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {

const std::string kDir = BERTH_SOURCE_DIR "/tests/interop/asap";
const char kIssuer[] = "micros/interop";
const char kKid[] = "micros/interop/key1";
const char kForeignKid[] = "micros/other/key1";  // The same key, published outside the issuer's name.
const char kAudience[] = "ai-gateway";

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

class AsapInteropTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    berth_ = new BerthRunner();
    auto made = berth_->Run({"asap", "keygen", "--issuer", kIssuer, "--key-id", kKid, "--public-key-out", "pub.pem"});
    ASSERT_EQ(made.exit_code, 0) << Describe(made);
    auto config = nlohmann::json::parse(ReadFile(berth_->work_dir() / ".asap-config"));
    private_pem_ = new std::string(config["privateKey"].get<std::string>());
    public_pem_ = new std::string(ReadFile(berth_->work_dir() / "pub.pem"));
    ec_key_ = new jwt::PrivateKey(jwt::PrivateKey::GenerateEc(jwt::Algorithm::kES256));

    repo_ = new TempDir("berth-asap-repo");
    for (const std::string kid : {kKid, kForeignKid}) {
      std::filesystem::create_directories((repo_->path() / kid).parent_path());
      WriteFileAtomic(repo_->path() / kid, *public_pem_);
    }
    WriteFileAtomic(repo_->path() / "micros/interop/ec1", ec_key_->Public().Pem());
    server_ = new BackgroundServer({"/usr/bin/python3", kDir + "/asap_http_server.py", "--keys", repo_->path().string(), "--exit-on-stdin-eof"});
    keys_url_ = new std::string(server_->ready()["keys_url"].get<std::string>());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete repo_;
    delete berth_;
    delete private_pem_;
    delete public_pem_;
    delete ec_key_;
    delete keys_url_;
  }
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::is_directory(kDir + "/node_modules/jose") &&
                std::filesystem::is_directory(kDir + "/node_modules/jwt-authentication"))
        << "npm peers missing: run tests/interop/asap/setup_npm.sh (ctest runs it as the asap_interop_npm_setup fixture)";
  }

  // Runs the node peer with `request` on stdin; returns its JSON answer.
  static nlohmann::json Peer(const std::string& command, const nlohmann::json& request) {
    ProcessOptions options;
    options.stdin_data = request.dump();
    options.env_unset = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ASAP_SERVER_LEEWAY_SECONDS"};
    options.timeout = std::chrono::seconds(60);
    ProcessResult result = RunProcess({"node", kDir + "/asap_peer.mjs", command}, options);
    EXPECT_NE(result.exit_code, 2) << Describe(result);
    try {
      return nlohmann::json::parse(result.stdout_data);
    } catch (const std::exception&) {
      ADD_FAILURE() << "node printed no JSON: " << Describe(result);
      return {{"ok", false}, {"error", "no JSON"}};
    }
  }
  // Many requests in one node start: [(command, request)] -> answers.
  static std::vector<nlohmann::json> Batch(const std::vector<std::pair<std::string, nlohmann::json>>& items) {
    nlohmann::json requests = nlohmann::json::array();
    for (const auto& [command, request] : items) requests.push_back({{"command", command}, {"request", request}});
    nlohmann::json answer = Peer("batch", requests);
    if (!answer.contains("answers") || answer["answers"].size() != items.size()) {
      ADD_FAILURE() << "bad batch answer: " << answer.dump();
      return std::vector<nlohmann::json>(items.size(), nlohmann::json{{"ok", false}});
    }
    return answer["answers"].get<std::vector<nlohmann::json>>();
  }
  static std::pair<std::string, nlohmann::json> Jose(const std::string& token, const std::string& alg = "RS256") {
    return {"jose-verify", {{"token", token}, {"publicKeyPem", *public_pem_}, {"audience", kAudience}, {"alg", alg}}};
  }
  static std::pair<std::string, nlohmann::json> Atlassian(const std::string& token) {
    return {"atlassian-validate",
            {{"token", token}, {"publicKeyBaseUrl", *keys_url_}, {"audience", kAudience}, {"authorizedSubjects", {kIssuer}}}};
  }
  static ProcessResult Verify(const std::string& token) {
    return berth_->Run({"asap", "verify", "-a", kAudience, "--key-repo", *keys_url_}, token);
  }
  // ASAP claims as a verifier would want them, for `lifetime` seconds from `iat`.
  static nlohmann::json Claims(int64_t iat, int64_t lifetime, const std::string& audience = kAudience) {
    return {{"iss", kIssuer}, {"sub", kIssuer}, {"aud", audience}, {"jti", jwt::NewTokenId()}, {"iat", iat}, {"nbf", iat}, {"exp", iat + lifetime}};
  }
  // What berth itself refuses to mint, signed with berth's key through the SDK.
  static std::string Forge(const std::string& kid, const nlohmann::json& claims) {
    return jwt::Sign({{"kid", kid}}, claims, jwt::PrivateKey::FromPem(*private_pem_, "config"), jwt::Algorithm::kRS256);
  }
  static std::pair<std::string, nlohmann::json> JoseSign(const std::string& kid, const nlohmann::json& claims, const std::string& alg = "RS256") {
    std::string pem = alg == "ES256" ? ec_key_->Pkcs8Pem().Reveal() : *private_pem_;
    return {"jose-sign", {{"privateKeyPem", pem}, {"alg", alg}, {"header", {{"kid", kid}}}, {"claims", claims}}};
  }
  // jwt-authentication sets iat (unless given), nbf and jti itself, and exp
  // to its own clock plus expiresInSeconds.
  static std::pair<std::string, nlohmann::json> AtlassianSign(const std::string& kid, int64_t expires_in, const std::string& audience = kAudience,
                                                              const std::string& private_key = "", std::optional<int64_t> iat = std::nullopt) {
    nlohmann::json request = {{"privateKey", private_key.empty() ? *private_pem_ : private_key},
                              {"kid", kid},
                              {"claims", {{"iss", kIssuer}, {"sub", kIssuer}, {"aud", audience}}},
                              {"expiresInSeconds", expires_in}};
    if (iat) {
      request["iat"] = *iat;
      request["notBefore"] = *iat;
    }
    return {"atlassian-sign", request};
  }
  // Signs in one batch; every signer must succeed.
  static std::vector<std::string> Tokens(const std::vector<std::pair<std::string, nlohmann::json>>& signings) {
    std::vector<std::string> tokens;
    for (const nlohmann::json& answer : Batch(signings)) {
      EXPECT_EQ(answer["ok"], true) << answer.dump();
      tokens.push_back(answer.value("token", ""));
    }
    return tokens;
  }
  static std::string Rejection(const ProcessResult& result) {
    EXPECT_EQ(result.exit_code, 5) << Describe(result);
    return result.stderr_data;
  }

  static BerthRunner* berth_;
  static std::string* private_pem_;
  static std::string* public_pem_;
  static jwt::PrivateKey* ec_key_;
  static TempDir* repo_;
  static BackgroundServer* server_;
  static std::string* keys_url_;
};

BerthRunner* AsapInteropTest::berth_ = nullptr;
std::string* AsapInteropTest::private_pem_ = nullptr;
std::string* AsapInteropTest::public_pem_ = nullptr;
jwt::PrivateKey* AsapInteropTest::ec_key_ = nullptr;
TempDir* AsapInteropTest::repo_ = nullptr;
BackgroundServer* AsapInteropTest::server_ = nullptr;
std::string* AsapInteropTest::keys_url_ = nullptr;

TEST_F(AsapInteropTest, BerthTokensAreAcceptedByJoseAndJwtAuthentication) {
  auto minted = berth_->Run({"asap", "token", "-a", kAudience});
  ASSERT_EQ(minted.exit_code, 0) << Describe(minted);
  std::string token = Trimmed(minted.stdout_data);
  // PS256 from berth is a valid ASAP algorithm for both too.
  auto minted_ps = berth_->Run({"asap", "token", "-a", kAudience, "--algorithm", "PS256"});
  ASSERT_EQ(minted_ps.exit_code, 0) << Describe(minted_ps);
  std::string token_ps = Trimmed(minted_ps.stdout_data);

  auto answers = Batch({Jose(token), Atlassian(token), Jose(token_ps, "PS256"), Atlassian(token_ps)});
  const nlohmann::json& jose = answers[0];
  ASSERT_EQ(jose["ok"], true) << jose.dump();
  EXPECT_EQ(jose["header"]["kid"], kKid);
  EXPECT_EQ(jose["header"]["alg"], "RS256");
  EXPECT_EQ(jose["payload"]["iss"], kIssuer);
  EXPECT_EQ(jose["payload"]["sub"], kIssuer);
  EXPECT_EQ(jose["payload"]["aud"], kAudience);
  EXPECT_EQ(jose["payload"]["jti"].get<std::string>().size(), 32u);
  EXPECT_EQ(jose["payload"]["exp"].get<int64_t>() - jose["payload"]["iat"].get<int64_t>(), 60);
  ASSERT_EQ(answers[1]["ok"], true) << answers[1].dump();
  EXPECT_EQ(answers[1]["payload"]["iss"], kIssuer);
  EXPECT_EQ(answers[2]["ok"], true) << answers[2].dump();
  EXPECT_EQ(answers[3]["ok"], true) << answers[3].dump();
}

TEST_F(AsapInteropTest, PeersRejectWhatBerthRejects) {
  const int64_t now = jwt::NowSeconds();
  // Wrong audience: berth mints it happily (for another service).
  auto minted = berth_->Run({"asap", "token", "-a", "billing"});
  ASSERT_EQ(minted.exit_code, 0) << Describe(minted);
  std::string wrong_audience = Trimmed(minted.stdout_data);
  // Expired, a kid outside the issuer, and a lifetime over an hour: berth will
  // not mint these, so the SDK signs them with berth's key.
  std::string expired = Forge(kKid, Claims(now - 7200, 60));
  std::string foreign_kid = Forge(kForeignKid, Claims(now, 60));
  std::string long_lived = Forge(kKid, Claims(now, 7200));

  auto answers = Batch({Jose(wrong_audience), Atlassian(wrong_audience), Jose(expired), Atlassian(expired), Jose(foreign_kid),
                        Atlassian(foreign_kid), Atlassian(long_lived)});
  EXPECT_EQ(answers[0]["error"], "ERR_JWT_CLAIM_VALIDATION_FAILED: unexpected \"aud\" claim value");
  EXPECT_EQ(answers[1]["error"], "Unrecognised audience");
  EXPECT_EQ(answers[2]["error"], "ERR_JWT_EXPIRED: \"exp\" claim timestamp check failed");
  EXPECT_EQ(answers[3]["error"], "The token has already expired");
  EXPECT_EQ(answers[4]["ok"], true) << "jose knows nothing of ASAP kids; that rule is ASAP's";
  EXPECT_EQ(answers[5]["error"], "The issuer claim does not match the key id");
  EXPECT_EQ(answers[6]["error"], "Token exceeds lifetime limit of 3600 seconds");

  EXPECT_EQ(Rejection(Verify(wrong_audience)), "error: asap verify: token rejected: audience \"billing\" does not include 'ai-gateway'\n");
  auto refused = berth_->Run({"asap", "token", "-a", kAudience, "--expiry", "7200"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.stderr_data, "error: asap token: a lifetime of 7200 s is over the ASAP maximum of 3600 s (verifiers reject such tokens)\n");
  auto foreign = berth_->Run({"asap", "keygen", "--issuer", kIssuer, "--key-id", kForeignKid, "--file", "foreign.json"});
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_EQ(foreign.stderr_data,
            "error: asap keygen: kid 'micros/other/key1' is not under issuer 'micros/interop' (it must be 'micros/interop' or start with 'micros/interop/')\n");
}

TEST_F(AsapInteropTest, BerthVerifyAcceptsPeerTokens) {
  const int64_t now = jwt::NowSeconds();
  std::string data_uri = jwt::MakePkcs8DataUri(jwt::PrivateKey::FromPem(*private_pem_, "config"), {{"kid", kKid}}).Reveal();
  std::vector<std::string> names = {"jose RS256", "jose PS256", "jose ES256", "jwt-authentication PEM key", "jwt-authentication data URI key",
                                    "jwt-authentication defaults"};
  std::vector<std::string> tokens = Tokens({JoseSign(kKid, Claims(now, 60)), JoseSign(kKid, Claims(now, 60), "PS256"),
                                            JoseSign("micros/interop/ec1", Claims(now, 60), "ES256"), AtlassianSign(kKid, 60),
                                            AtlassianSign(kKid, 60, kAudience, data_uri), AtlassianSign(kKid, 0)});
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto result = Verify(tokens[i]);
    EXPECT_EQ(result.exit_code, 0) << names[i] << ": " << Describe(result);
  }
  auto json = berth_->Run({"asap", "verify", "-a", kAudience, "--key-repo", *keys_url_, "-o", "json"}, tokens[3]);
  ASSERT_EQ(json.exit_code, 0) << Describe(json);
  EXPECT_EQ(nlohmann::json::parse(json.stdout_data)["key"], *keys_url_ + kKid);
}

TEST_F(AsapInteropTest, BerthVerifyRejectsBadPeerTokensRuleByRule) {
  const int64_t now = jwt::NowSeconds();
  const std::string foreign =
      "error: asap verify: token rejected: kid 'micros/other/key1' is not under issuer 'micros/interop' (it must be 'micros/interop' or start with "
      "'micros/interop/')\n";
  const std::string wrong_audience = "error: asap verify: token rejected: audience \"billing\" does not include 'ai-gateway'\n";
  const std::string too_long = "error: asap verify: token rejected: lifetime 7200 s (exp - iat) is over the maximum of 3600 s\n";
  const std::string expired_prefix = "error: asap verify: token rejected: the token expired at ";

  // Per signer: expired, wrong audience, kid outside the issuer, lifetime over an hour.
  std::vector<std::string> tokens = Tokens({
      JoseSign(kKid, Claims(now - 7200, 60)), JoseSign(kKid, Claims(now, 60, "billing")), JoseSign(kForeignKid, Claims(now, 60)),
      JoseSign(kKid, Claims(now, 7200)),
      AtlassianSign(kKid, -7140, kAudience, "", now - 7200), AtlassianSign(kKid, 60, "billing"), AtlassianSign(kForeignKid, 60),
      AtlassianSign(kKid, 7200),
  });
  for (size_t signer = 0; signer < 2; ++signer) {
    SCOPED_TRACE(signer == 0 ? "jose" : "jwt-authentication");
    EXPECT_EQ(Rejection(Verify(tokens[signer * 4])).substr(0, expired_prefix.size()), expired_prefix);
    EXPECT_EQ(Rejection(Verify(tokens[signer * 4 + 1])), wrong_audience);
    EXPECT_EQ(Rejection(Verify(tokens[signer * 4 + 2])), foreign);
    EXPECT_EQ(Rejection(Verify(tokens[signer * 4 + 3])), too_long);
  }
  // jwt-authentication rejects its own such tokens too: these are ASAP's rules, not broken tokens.
  auto answers = Batch({Atlassian(tokens[4]), Atlassian(tokens[6]), Atlassian(tokens[7])});
  EXPECT_EQ(answers[0]["error"], "The token has already expired");
  EXPECT_EQ(answers[1]["error"], "The issuer claim does not match the key id");
  EXPECT_EQ(answers[2]["error"], "Token exceeds lifetime limit of 3600 seconds");
}

// berth asap publish into a repository that starts empty: Atlassian's
// validator, fetching the key the way resource servers do, accepts berth's
// token (and one it signed itself with the same key), and so does berth.
TEST_F(AsapInteropTest, KeysPublishedByBerthAreFetchedByJwtAuthentication) {
  const std::string issuer = "micros/published";
  const std::string kid = issuer + "/key1";
  BerthRunner publisher;
  auto made = publisher.Run({"asap", "keygen", "--issuer", issuer, "--key-id", kid, "-a", kAudience});
  ASSERT_EQ(made.exit_code, 0) << Describe(made);
  TempDir empty("berth-asap-publish");
  BackgroundServer repository({"/usr/bin/python3", kDir + "/asap_http_server.py", "--keys", empty.path().string(), "--writable", "--exit-on-stdin-eof"});
  std::string base = repository.ready()["keys_url"];

  std::string token = Trimmed(publisher.Run({"asap", "token"}).stdout_data);
  auto before = Batch({{"atlassian-validate", {{"token", token}, {"publicKeyBaseUrl", base}, {"audience", kAudience}, {"authorizedSubjects", {issuer}}}}});
  EXPECT_NE(before[0]["ok"], true) << "the repository must not know the key before it is published: " << before[0].dump();

  auto published = publisher.Run({"asap", "publish", "--key-repo", base});
  ASSERT_EQ(published.exit_code, 0) << Describe(published);
  std::string private_pem = nlohmann::json::parse(ReadFile(publisher.work_dir() / ".asap-config"))["privateKey"];
  auto signed_by_peer = Batch({{"atlassian-sign", {{"privateKey", private_pem}, {"kid", kid}, {"claims", {{"iss", issuer}, {"sub", issuer}, {"aud", kAudience}}},
                                                    {"expiresInSeconds", 60}}}});
  ASSERT_EQ(signed_by_peer[0]["ok"], true) << signed_by_peer[0].dump();
  std::string peer_token = signed_by_peer[0]["token"];
  auto answers = Batch({{"atlassian-validate", {{"token", token}, {"publicKeyBaseUrl", base}, {"audience", kAudience}, {"authorizedSubjects", {issuer}}}},
                        {"atlassian-validate", {{"token", peer_token}, {"publicKeyBaseUrl", base}, {"audience", kAudience}, {"authorizedSubjects", {issuer}}}}});
  EXPECT_EQ(answers[0]["ok"], true) << answers[0].dump();
  EXPECT_EQ(answers[0]["payload"]["iss"], issuer);
  EXPECT_EQ(answers[1]["ok"], true) << answers[1].dump();
  for (const std::string& each : {token, peer_token}) {
    auto verified = publisher.Run({"asap", "verify", "-a", kAudience, "--key-repo", base}, each);
    EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
  }
}

}  // namespace
}  // namespace berth::testing
