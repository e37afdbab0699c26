// berth asap as a user runs it: keygen, token, verify against a key
// repository served on 127.0.0.1, and curl against an echoing gateway
// stand-in (tests/interop/asap/asap_http_server.py). Tokens go to berth on
// stdin, never in argv, except one already-expired token for the TOKEN
// argument form.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "background_server.h"
#include "berth/http/client.h"
#include "berth/util/fs.h"
#include "berth/util/jwt.h"
#include "berth_runner.h"

namespace berth::testing {
namespace {

const char kServer[] = BERTH_SOURCE_DIR "/tests/interop/asap/asap_http_server.py";

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

class AsapE2eTest : public ::testing::Test {
 protected:
  // keygen in the runner's work dir; returns the keygen JSON.
  nlohmann::json Keygen(const std::string& issuer = "micros/my-service") {
    auto result = berth_.Run({"asap", "keygen", "--issuer", issuer, "--key-id", issuer + "/key1", "-a", "ai-gateway",
                              "--public-key-out", "pub.pem", "--key-repo", "https://keys.example/", "-o", "json"});
    EXPECT_EQ(result.exit_code, 0) << Describe(result);
    return nlohmann::json::parse(result.stdout_data);
  }
  std::string Token(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"asap", "token"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto result = berth_.Run(args);
    EXPECT_EQ(result.exit_code, 0) << Describe(result);
    return Trimmed(result.stdout_data);
  }
  // A key repository holding pub.pem at <kid>.
  std::filesystem::path PublishKey(const std::string& kid) {
    auto root = keys_.path() / "repo";
    std::filesystem::create_directories((root / kid).parent_path());
    std::filesystem::copy_file(berth_.work_dir() / "pub.pem", root / kid, std::filesystem::copy_options::overwrite_existing);
    return root;
  }
  jwt::PrivateKey ConfigKey() {
    auto config = nlohmann::json::parse(ReadFile(berth_.work_dir() / ".asap-config"));
    return jwt::PrivateKey::FromPem(config["privateKey"].get<std::string>(), "config");
  }

  // The paths the test server has answered so far (the /requests call itself left out).
  nlohmann::json ReadRequests(BackgroundServer& server) {
    auto result = berth_.Run({"asap", "curl", server.url() + "/requests", "-a", "x", "--no-gateway-headers"});
    EXPECT_EQ(result.exit_code, 0) << Describe(result);
    return nlohmann::json::parse(result.stdout_data);
  }

  BerthRunner berth_;
  TempDir keys_{"berth-asap-keys"};
};

TEST_F(AsapE2eTest, KeygenWritesAPrivateConfigAndTokenPrintsOnlyTheToken) {
  nlohmann::json made = Keygen();
  EXPECT_EQ(made["config"], ".asap-config");
  EXPECT_EQ(made["kid"], "micros/my-service/key1");
  EXPECT_EQ(made["publish_public_key_at"], "https://keys.example/micros/my-service/key1");
  struct stat info {};
  ASSERT_EQ(stat((berth_.work_dir() / ".asap-config").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto config = nlohmann::json::parse(ReadFile(berth_.work_dir() / ".asap-config"));
  EXPECT_EQ(config["issuer"], "micros/my-service");
  EXPECT_EQ(config["audience"], "ai-gateway");
  EXPECT_EQ(config["expiry"], 60);
  EXPECT_EQ(config["publicKey"], ReadFile(berth_.work_dir() / "pub.pem"));

  auto again = berth_.Run({"asap", "keygen", "--issuer", "micros/my-service"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_EQ(again.stderr_data, "error: asap keygen: .asap-config already exists (pass --force to replace it)\n");

  auto result = berth_.Run({"asap", "token", "-a", "ai-gateway"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(result.stderr_data, "");
  std::string token = Trimmed(result.stdout_data);
  EXPECT_EQ(result.stdout_data, token + "\n");
  jwt::DecodedToken decoded = jwt::Decode(token);
  EXPECT_EQ(decoded.header["kid"], "micros/my-service/key1");
  EXPECT_EQ(decoded.header["alg"], "RS256");
  EXPECT_EQ(decoded.claims["exp"].get<int64_t>() - decoded.claims["iat"].get<int64_t>(), 60);
  EXPECT_EQ(decoded.claims["nbf"], decoded.claims["iat"]);
  jwt::VerifySignature(decoded, jwt::PublicKey::FromPem(ReadFile(berth_.work_dir() / "pub.pem"), "pub.pem"));

  auto verified = berth_.Run({"asap", "verify", "-a", "ai-gateway", "--public-key", "pub.pem", "-o", "json"}, token);
  ASSERT_EQ(verified.exit_code, 0) << Describe(verified);
  auto json = nlohmann::json::parse(verified.stdout_data);
  EXPECT_EQ(json["valid"], true);
  EXPECT_EQ(json["issuer"], "micros/my-service");
  EXPECT_EQ(json["key"], "pub.pem");

  auto json_token = berth_.Json({"asap", "token", "--expiry", "3600"});
  EXPECT_EQ(json_token["aud"], "ai-gateway");  // The config's default audience.
  EXPECT_EQ(json_token["exp"].get<int64_t>() - json_token["iat"].get<int64_t>(), 3600);
}

TEST_F(AsapE2eTest, RefusalsHaveClearMessagesAndExitCodes) {
  auto result = berth_.Run({"asap", "token", "-a", "x"});
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_EQ(result.stderr_data,
            "error: asap token: no ASAP credentials: pass --config FILE, set ASAP_ISSUER, ASAP_KEY_ID and ASAP_PRIVATE_KEY, or create "
            "./.asap-config with berth asap keygen\n");
  result = berth_.Run({"asap", "keygen", "--issuer", "micros/a", "--key-id", "micros/b/key1"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data, "error: asap keygen: kid 'micros/b/key1' is not under issuer 'micros/a' (it must be 'micros/a' or start with 'micros/a/')\n");
  Keygen();
  result = berth_.Run({"asap", "token", "-a", "x", "--expiry", "7200"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data, "error: asap token: a lifetime of 7200 s is over the ASAP maximum of 3600 s (verifiers reject such tokens)\n");
  EXPECT_EQ(result.stdout_data, "");
  result = berth_.Run({"asap", "verify", "-a", "x", "--key-repo", "http://keys.example/"}, "a.b.c");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data,
            "error: asap verify: key repository 'http://keys.example/' must be an https:// URL (plain http only for 127.0.0.1, localhost and [::1])\n");
  result = berth_.Run({"asap", "verify", "--public-key", "pub.pem"}, "a.b.c");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data, "error: asap verify: no audience to verify against: pass -a AUDIENCE or set ASAP_AUDIENCE\n");
}

TEST_F(AsapE2eTest, TokensFromTheEnvironmentWithDataUriOrPemKeys) {
  jwt::PrivateKey key = jwt::PrivateKey::GenerateRsa(2048);
  WriteFileAtomic(berth_.work_dir() / "pub.pem", key.Public().Pem());
  berth_.SetEnv("ASAP_ISSUER", "micros/env-svc");
  berth_.SetEnv("ASAP_PRIVATE_KEY", jwt::MakePkcs8DataUri(key, {{"kid", "micros/env-svc/k9"}}).Reveal());
  berth_.SetEnv("ASAP_AUDIENCE", "gateway,billing");
  std::string token = Token();
  jwt::DecodedToken decoded = jwt::Decode(token);
  EXPECT_EQ(decoded.header["kid"], "micros/env-svc/k9");
  EXPECT_EQ(decoded.claims["aud"], (nlohmann::json{"gateway", "billing"}));
  auto result = berth_.Run({"asap", "verify", "-a", "billing", "--public-key", "pub.pem"}, "Bearer " + token + "\n");
  EXPECT_EQ(result.exit_code, 0) << Describe(result);

  std::string pem = key.Pkcs8Pem().Reveal();
  std::string escaped;
  for (char c : pem) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  berth_.SetEnv("ASAP_PRIVATE_KEY", escaped);  // As .env files carry it.
  berth_.SetEnv("ASAP_KID", "micros/env-svc/k10");
  EXPECT_EQ(jwt::Decode(Token({"-a", "x", "--subject", "someone"})).claims["sub"], "someone");
  berth_.SetEnv("ASAP_KID", "micros/other/k10");
  result = berth_.Run({"asap", "token", "-a", "x"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data,
            "error: asap token: the ASAP_* environment: kid 'micros/other/k10' is not under issuer 'micros/env-svc' (it must be 'micros/env-svc' or start "
            "with 'micros/env-svc/')\n");
}

TEST_F(AsapE2eTest, VerifyFetchesFromKeyRepositoriesInOrder) {
  Keygen();
  auto repo_root = PublishKey("micros/my-service/key1");
  BackgroundServer failing({"/usr/bin/python3", kServer, "--status", "503", "--exit-on-stdin-eof"});
  BackgroundServer keys({"/usr/bin/python3", kServer, "--keys", repo_root.string(), "--exit-on-stdin-eof"});
  std::string keys_url = keys.ready()["keys_url"];
  std::string token = Token({"-a", "ai-gateway"});

  auto result = berth_.Run({"asap", "verify", "-a", "ai-gateway", "--key-repo", failing.url() + "/keys", "--key-repo", keys_url, "-o", "json"},
                           token);
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["key"], keys_url + "micros/my-service/key1");
  EXPECT_NE(result.stderr_data.find("answered HTTP 503; trying the next one"), std::string::npos) << result.stderr_data;

  berth_.SetEnv("ASAP_PUBLIC_KEY_REPOSITORY_URL", keys_url);
  berth_.SetEnv("ASAP_AUDIENCE", "ai-gateway");
  result = berth_.Run({"asap", "verify"}, token);
  EXPECT_EQ(result.exit_code, 0) << Describe(result);

  // A kid the repository does not have: a 404 ends the search.
  nlohmann::json claims = jwt::Decode(token).claims;
  std::string unknown = jwt::Sign({{"kid", "micros/my-service/key2"}}, claims, ConfigKey(), jwt::Algorithm::kRS256);
  result = berth_.Run({"asap", "verify"}, unknown);
  EXPECT_EQ(result.exit_code, 6);
  EXPECT_EQ(result.stderr_data, "error: asap verify: public key 'micros/my-service/key2' not found at " + keys_url + "micros/my-service/key2 (HTTP 404)\n");

  // The TOKEN argument form, with a token that expired long ago.
  claims["iat"] = jwt::NowSeconds() - 7200;
  claims["nbf"] = claims["iat"];
  claims["exp"] = jwt::NowSeconds() - 7140;
  std::string expired = jwt::Sign({{"kid", "micros/my-service/key1"}}, claims, ConfigKey(), jwt::Algorithm::kRS256);
  result = berth_.Run({"asap", "verify", expired});
  EXPECT_EQ(result.exit_code, 5);
  std::string expected = "error: asap verify: token rejected: the token expired at " + jwt::FormatTime(claims["exp"]) + " (";
  EXPECT_EQ(result.stderr_data.substr(0, expected.size()), expected) << result.stderr_data;
  EXPECT_EQ(result.stderr_data.substr(result.stderr_data.size() - 8), " s ago)\n");
  result = berth_.Run({"asap", "verify", "-o", "json"}, expired);
  EXPECT_EQ(result.exit_code, 5);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["valid"], false);
}

TEST_F(AsapE2eTest, CurlSendsAFreshTokenAndGatewayHeadersAndNeverPrintsTheToken) {
  Keygen();
  BackgroundServer gateway({"/usr/bin/python3", kServer, "--exit-on-stdin-eof"});
  berth_.SetEnv("AI_GATEWAY_USE_CASE_ID", "caid-proto");
  berth_.SetEnv("AI_GATEWAY_CLOUD_ID", "local-testing");
  berth_.SetEnv("AI_GATEWAY_USER_ID", "dev@example.com");
  berth_.SetEnv("MY_TEAM", "platform");

  auto result = berth_.Run({"asap", "curl", gateway.url() + "/echo/v1/chat", "-a", "ai-gateway", "-vv", "-H", "Content-Type: application/json",
                            "--header-from-env", "X-Team=MY_TEAM", "-d", "@-"},
                           R"({"prompt":"hi"})");
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  auto echo = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["path"], "/echo/v1/chat");
  EXPECT_EQ(echo["body"], R"({"prompt":"hi"})");
  const auto& headers = echo["headers"];
  EXPECT_EQ(headers["X-Atlassian-UseCaseId"], "caid-proto");
  EXPECT_EQ(headers["X-Atlassian-CloudId"], "local-testing");
  EXPECT_EQ(headers["X-Atlassian-UserId"], "dev@example.com");
  EXPECT_EQ(headers["X-Team"], "platform");
  EXPECT_EQ(headers["Content-Type"], "application/json");
  std::string authorization = headers["Authorization"];
  ASSERT_EQ(authorization.rfind("Bearer ", 0), 0u);
  std::string token = authorization.substr(7);
  auto verified = berth_.Run({"asap", "verify", "-a", "ai-gateway", "--public-key", "pub.pem"}, token);
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
  // The debug log shows the request headers, with the token masked.
  EXPECT_EQ(result.stderr_data.find(token), std::string::npos);
  EXPECT_EQ(result.stderr_data.find(token.substr(token.rfind('.') + 1)), std::string::npos);
  EXPECT_NE(result.stderr_data.find("Authorization: ***"), std::string::npos) << result.stderr_data;
  EXPECT_NE(result.stderr_data.find("X-Atlassian-UseCaseId: caid-proto"), std::string::npos);

  result = berth_.Run({"asap", "curl", gateway.url() + "/echo", "-a", "ai-gateway", "--no-gateway-headers"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  echo = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(echo["method"], "GET");
  EXPECT_FALSE(echo["headers"].contains("X-Atlassian-UseCaseId"));

  result = berth_.Run({"asap", "curl", gateway.url() + "/status/401", "-a", "ai-gateway"});
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_EQ(result.stdout_data, "status 401 from the test server\n");
  EXPECT_EQ(result.stderr_data, "error: asap curl: HTTP 401 from " + gateway.url() + "/status/401\n");
  result = berth_.Run({"asap", "curl", gateway.url() + "/echo", "-a", "x", "-H", "authorization: Bearer mine"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stderr_data, "error: asap curl: berth asap curl sets the Authorization header itself\n");
}

// publish puts the key where resource servers fetch it, only once per kid:
// a second run changes nothing, another key under the same kid is refused
// before anything is written, and a guarded repository gets the upload
// token from the environment, never from argv.
TEST_F(AsapE2eTest, PublishUploadsThePublicKeyOnceAndRefusesAnotherKeyUnderItsKid) {
  Keygen();
  setenv("TEST_UPLOAD_TOKEN", "upload-secret-7f3a", 1);
  std::filesystem::create_directories(keys_.path() / "repo");
  BackgroundServer repo({"/usr/bin/python3", kServer, "--keys", (keys_.path() / "repo").string(), "--writable",
                         "--upload-token-env", "TEST_UPLOAD_TOKEN", "--exit-on-stdin-eof"});
  std::string keys_url = repo.ready()["keys_url"];
  const std::string kid = "micros/my-service/key1";
  const std::filesystem::path stored = keys_.path() / "repo" / kid;

  // Without the token the repository refuses, and the message says what to set.
  auto result = berth_.Run({"asap", "publish", "--key-repo", keys_url});
  EXPECT_EQ(result.exit_code, 7) << Describe(result);
  EXPECT_EQ(result.stderr_data, "error: asap publish: publishing '" + kid + "' to " + keys_url + kid +
                                    " was refused (HTTP 401); set ASAP_KEY_REPOSITORY_TOKEN if the repository needs a token\n");
  EXPECT_FALSE(std::filesystem::exists(stored));

  // --dry-run looks and writes nothing.
  berth_.SetEnv("ASAP_KEY_REPOSITORY_TOKEN", "upload-secret-7f3a");
  result = berth_.Run({"asap", "publish", "--key-repo", keys_url, "--dry-run", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["published"][0]["action"], "would publish");
  EXPECT_FALSE(std::filesystem::exists(stored));

  result = berth_.Run({"asap", "publish", "--key-repo", keys_url, "-o", "json", "-vvv"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  nlohmann::json out = nlohmann::json::parse(result.stdout_data);
  EXPECT_EQ(out["kid"], kid);
  EXPECT_EQ(out["published"], nlohmann::json::parse(R"([{"url": ")" + keys_url + kid + R"(", "action": "published"}])"));
  EXPECT_EQ(ReadFile(stored), ReadFile(berth_.work_dir() / "pub.pem"));
  EXPECT_EQ(result.stderr_data.find("upload-secret-7f3a"), std::string::npos) << "the upload token was logged";

  // The published key is what verification fetches.
  auto verified = berth_.Run({"asap", "verify", "-a", "ai-gateway", "--key-repo", keys_url}, Token({"-a", "ai-gateway"}));
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);

  // Again: nothing to do, and no second PUT.
  result = berth_.Run({"asap", "publish", "-o", "json"});
  EXPECT_EQ(result.exit_code, 2) << "no repository given must be a usage error: " << Describe(result);
  berth_.SetEnv("ASAP_PUBLIC_KEY_REPOSITORY_URL", keys_url);
  result = berth_.Run({"asap", "publish", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(nlohmann::json::parse(result.stdout_data)["published"][0]["action"], "unchanged");

  // A new key under the same kid is refused, and the repository keeps the old one.
  std::string published = ReadFile(stored);
  auto regenerated = berth_.Run({"asap", "keygen", "--issuer", "micros/my-service", "--key-id", kid, "--force"});
  ASSERT_EQ(regenerated.exit_code, 0) << Describe(regenerated);
  result = berth_.Run({"asap", "publish"});
  EXPECT_EQ(result.exit_code, 5) << Describe(result);
  EXPECT_EQ(result.stderr_data, "error: asap publish: kid '" + kid + "' is already published at " + keys_url + kid +
                                    " with a different key; publish a new key under a new kid (berth asap keygen)\n");
  EXPECT_EQ(ReadFile(stored), published);

  http::Client client;
  http::Request request;
  request.url = repo.url() + "/calls";
  nlohmann::json calls = nlohmann::json::parse(client.Send(request).body);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "PUT /keys/" + kid), 2) << calls.dump() << " (one refused for its token, one stored)";
}

// An .asap-config whose publicKey is not its private key's is not published.
TEST_F(AsapE2eTest, PublishRefusesAConfigWhosePublicKeyIsNotItsOwn) {
  Keygen();
  auto config = nlohmann::json::parse(ReadFile(berth_.work_dir() / ".asap-config"));
  config["publicKey"] = jwt::PrivateKey::GenerateRsa(2048).Public().Pem();
  WriteFileAtomic(berth_.work_dir() / ".asap-config", config.dump(), 0600);
  auto result = berth_.Run({"asap", "publish", "--key-repo", "http://127.0.0.1:9/keys/"});
  EXPECT_EQ(result.exit_code, 3) << Describe(result);
  EXPECT_EQ(result.stderr_data,
            "error: asap publish: .asap-config: field 'publicKey' is not the public half of 'privateKey'; refusing to publish either\n");
}

// A key server reached by the team's own program: the PEM on its stdin, the kid in its environment.
TEST_F(AsapE2eTest, PublishCanRunTheTeamsOwnUploadProgram) {
  Keygen();
  std::filesystem::path script = keys_.path() / "upload.sh";
  WriteFileAtomic(script, "#!/bin/sh\ncat > \"$1/$(echo \"$ASAP_KEY_ID\" | tr / _).pem\"\n", 0755);
  auto result = berth_.Run({"asap", "publish", "-o", "json", "--", script.string(), keys_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(ReadFile(keys_.path() / "micros_my-service_key1.pem"), ReadFile(berth_.work_dir() / "pub.pem"));
  WriteFileAtomic(script, "#!/bin/sh\nexit 4\n", 0755);
  result = berth_.Run({"asap", "publish", "--", script.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.stderr_data, "error: asap publish: publish command '" + script.string() + "' failed for 'micros/my-service/key1' (exit 4)\n");
}

// One order for ASAP credentials: --config, else the environment, else
// ./.asap-config. An environment that names only part of a signer is an
// error naming every source, never completed from or passed over for the
// file.
TEST_F(AsapE2eTest, AHalfSetEnvironmentIsAnErrorNamingEverySource) {
  jwt::PrivateKey key = jwt::PrivateKey::GenerateRsa(2048);
  const std::string pem = key.Pkcs8Pem().Reveal();
  berth_.SetEnv("ASAP_PRIVATE_KEY", pem);
  auto result = berth_.Run({"asap", "token", "-a", "x"});
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_EQ(result.stderr_data,
            "error: asap token: the ASAP_* environment is incomplete: ASAP_PRIVATE_KEY is set but ASAP_ISSUER and ASAP_KEY_ID (or "
            "ASAP_KID) are not; there is no ./.asap-config either (set the rest, or pass --config FILE)\n");
  Keygen();
  berth_.SetEnv("ASAP_KEY_ID", "micros/my-service/key9");
  BackgroundServer gateway({"/usr/bin/python3", kServer, "--exit-on-stdin-eof"});
  for (const std::string command : {"token", "curl"}) {
    std::vector<std::string> args = {"asap", command, "-a", "ai-gateway", "-vv"};
    if (command == "curl") args.push_back(gateway.url() + "/echo");
    result = berth_.Run(args);
    EXPECT_EQ(result.exit_code, 7);
    EXPECT_EQ(result.stderr_data.substr(result.stderr_data.find("error: ")),
              "error: asap " + command + ": the ASAP_* environment is incomplete: ASAP_KEY_ID and ASAP_PRIVATE_KEY are set but ASAP_ISSUER is "
              "not; ./.asap-config exists but is not read while ASAP_* variables are set (unset them, set the rest, or pass --config "
              ".asap-config)\n");
    EXPECT_EQ(result.stderr_data.find(pem.substr(28, 40)), std::string::npos);
  }
  EXPECT_EQ(jwt::Decode(Token({"--config", ".asap-config", "-a", "x"})).header["kid"], "micros/my-service/key1");
  berth_.SetEnv("ASAP_ISSUER", "micros/my-service");
  EXPECT_EQ(jwt::Decode(Token({"-a", "x"})).header["kid"], "micros/my-service/key9");  // The whole environment comes first.
  for (const char* name : {"ASAP_ISSUER", "ASAP_KEY_ID", "ASAP_PRIVATE_KEY"}) berth_.SetEnv(name, "");
  EXPECT_EQ(jwt::Decode(Token({"-a", "x"})).header["kid"], "micros/my-service/key1");
}

// berth asap curl fills the AI gateway headers from the project's env file
// (berth.yaml's secrets.from), the environment overriding it; --env-file
// names another; a header left unfilled is a warning; and nothing
// berth.yaml names is read before the project is trusted.
TEST_F(AsapE2eTest, CurlTakesTheGatewayHeadersFromTheProjectsEnvFile) {
  Keygen("micros/ai-prototype");
  const auto work = berth_.work_dir();
  WriteFileAtomic(work / ".env.local", "AI_GATEWAY_USE_CASE_ID=caid-proto\nAI_GATEWAY_CLOUD_ID=local-testing\n", 0600);
  const std::string environment = "  ddev:\n    target: {plugin: k8s}\n    secrets: {store: file, from: [.env.local, .asap-config]}\n";
  WriteFileAtomic(work / "berth.yaml", "service: ai-prototype\nimage: registry.example/ai-prototype\nenvironments:\n" + environment);
  BackgroundServer gateway({"/usr/bin/python3", kServer, "--exit-on-stdin-eof"});
  auto curl = [&](std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"asap", "curl", gateway.url() + "/echo", "-a", "ai-gateway"};
    args.insert(args.end(), extra.begin(), extra.end());
    return berth_.Run(args);
  };
  auto headers_of = [](const ProcessResult& result) { return nlohmann::json::parse(result.stdout_data)["headers"]; };

  berth_.SetEnv("AI_GATEWAY_USER_ID", "dev@example.com");
  auto result = curl();
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(result.stderr_data, "");
  auto headers = headers_of(result);
  EXPECT_EQ(headers["X-Atlassian-UseCaseId"], "caid-proto");
  EXPECT_EQ(headers["X-Atlassian-CloudId"], "local-testing");
  EXPECT_EQ(headers["X-Atlassian-UserId"], "dev@example.com");

  berth_.SetEnv("AI_GATEWAY_CLOUD_ID", "from-the-environment");
  berth_.SetEnv("AI_GATEWAY_USER_ID", "");
  result = curl();
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  headers = headers_of(result);
  EXPECT_EQ(headers["X-Atlassian-CloudId"], "from-the-environment");
  EXPECT_FALSE(headers.contains("X-Atlassian-UserId"));
  EXPECT_EQ(result.stderr_data, "warning: not sending X-Atlassian-UserId: AI_GATEWAY_USER_ID is not set in the environment, " +
                                    (work / ".env.local").string() + ", " + (work / ".asap-config").string() + "\n");
  berth_.SetEnv("AI_GATEWAY_CLOUD_ID", "");

  WriteFileAtomic(work / "other.env", "AI_GATEWAY_USE_CASE_ID=caid-other\nAI_GATEWAY_CLOUD_ID=c2\nAI_GATEWAY_USER_ID=u2\n", 0600);
  result = curl({"--env-file", "other.env"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(result.stderr_data, "");
  EXPECT_EQ(headers_of(result)["X-Atlassian-UseCaseId"], "caid-other");

  // Two environments: --env picks one, and without it no file is guessed.
  WriteFileAtomic(work / "berth.yaml", "service: ai-prototype\nimage: registry.example/ai-prototype\nenvironments:\n" + environment +
                                           "  staging:\n    target: {plugin: k8s}\n    secrets: {store: file, from: other.env}\n");
  result = curl({"--env", "staging"});
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(headers_of(result)["X-Atlassian-UserId"], "u2");
  result = curl();
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_FALSE(headers_of(result).contains("X-Atlassian-UseCaseId"));
  EXPECT_EQ(result.stderr_data,
            "warning: not sending X-Atlassian-UseCaseId, X-Atlassian-CloudId, X-Atlassian-UserId: AI_GATEWAY_USE_CASE_ID, "
            "AI_GATEWAY_CLOUD_ID, AI_GATEWAY_USER_ID are not set in the environment (berth.yaml defines 2 environments; pass --env ENV "
            "or --env-file FILE)\n");
  result = curl({"--env", "prod"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data, "error: asap curl: --env prod: berth.yaml has no environment 'prod'\n");

  // A project whose environment needs trust: its secrets.from is not read, nothing is sent.
  WriteFileAtomic(work / "berth.yaml", "service: ai-prototype\nimage: registry.example/ai-prototype\nenvironments:\n  ddev:\n"
                                       "    target: {plugin: k8s, kubeconfig: kube.yaml}\n    secrets: {store: file, from: .env.local}\n");
  nlohmann::json requests = ReadRequests(gateway);
  result = curl();
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.stderr_data,
            "error: asap curl: berth.yaml:5:39: environments.ddev.target.kubeconfig names a credential file; this project is not trusted "
            "(run 'berth trust' after reading berth.yaml)\n");
  requests.push_back("/requests");  // The first look, and nothing after it.
  EXPECT_EQ(ReadRequests(gateway), requests);
  berth_.TrustProjects();
  result = curl();
  ASSERT_EQ(result.exit_code, 0) << Describe(result);
  EXPECT_EQ(headers_of(result)["X-Atlassian-UseCaseId"], "caid-proto");
}

}  // namespace
}  // namespace berth::testing
