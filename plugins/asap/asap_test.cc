// Unit tests of the asap plugin's logic: credentials, minting, the verifier's
// rules one by one, the credential provider. The key repository over HTTP
// and the npm interop are covered by tests/e2e and tests/interop/asap.
#include <gtest/gtest.h>

#include <map>

#include "asap_credentials.h"
#include "asap_minter.h"
#include "asap_provider.h"
#include "asap_rules.h"
#include "asap_verifier.h"
#include "berth/error.h"
#include "berth/util/base64.h"
#include "berth/util/fs.h"
#include "key_repository.h"

namespace berth::asap {
namespace {

constexpr int64_t kNow = 1700000000;

const jwt::PrivateKey& Key() {
  static const jwt::PrivateKey key = jwt::PrivateKey::GenerateRsa(2048);
  return key;
}

std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return std::to_string(int(e.code())) + ": " + e.what();
  }
  return "no error";
}

EnvLookup EnvOf(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

AsapCredentials Credentials() {
  AsapCredentials credentials;
  credentials.issuer = "micros/svc";
  credentials.key_id = "micros/svc/key1";
  credentials.private_key = Key();
  credentials.source = "test";
  return credentials;
}

// A token with arbitrary header and claims, signed with Key(): for the
// rules the minter itself refuses to break.
std::string Forge(const nlohmann::json& header, const nlohmann::json& claims) { return jwt::Sign(header, claims, Key(), jwt::Algorithm::kRS256); }

nlohmann::json GoodClaims() {
  return {{"iss", "micros/svc"}, {"sub", "micros/svc"}, {"aud", "gateway"}, {"jti", "j1"}, {"iat", kNow}, {"nbf", kNow}, {"exp", kNow + 60}};
}

TEST(AsapRulesTest, KeyIdsMustBeSafePathsUnderTheIssuer) {
  auto format = [](const std::string& kid) { return ErrorOf([&] { CheckKeyIdFormat(kid, 5); }); };
  EXPECT_EQ(format("micros/svc/key-1.pem+2_x"), "no error");
  EXPECT_EQ(format(""), "5: the kid is empty");
  EXPECT_EQ(format("a/b c"), "5: kid 'a/b c' has characters outside A-Z a-z 0-9 _ . - + /");
  EXPECT_EQ(format("/etc/passwd"), "5: kid '/etc/passwd' starts with '/'");
  EXPECT_EQ(format("svc/../other/key"), "5: kid 'svc/../other/key' contains '..'");
  EXPECT_EQ(format("svc//key"), "5: kid 'svc//key' has an empty path segment");
  EXPECT_EQ(format("svc/key/"), "5: kid 'svc/key/' has an empty path segment");
  EXPECT_EQ(format("svc/./key"), "5: kid 'svc/./key' has a '.' path segment");
  EXPECT_EQ(format("./svc"), "5: kid './svc' has a '.' path segment");

  EXPECT_TRUE(KeyIdBelongsToIssuer("svc", "svc"));
  EXPECT_TRUE(KeyIdBelongsToIssuer("svc/key", "svc"));
  EXPECT_FALSE(KeyIdBelongsToIssuer("svc2/key", "svc"));
  EXPECT_FALSE(KeyIdBelongsToIssuer("other/key", "svc"));
  EXPECT_FALSE(KeyIdBelongsToIssuer("svc/key", ""));
}

TEST(AsapCredentialsTest, ConfigFilesRoundTripWithPemOrDataUriKeys) {
  TempDir dir;
  auto file = dir.path() / ".asap-config";
  WriteFileAtomic(file, AsapConfigJson("micros/svc", "micros/svc/k1", {"gateway"}, 120, Key()).Reveal(), 0600);
  nlohmann::json written = nlohmann::json::parse(ReadFile(file));
  EXPECT_EQ(written["issuer"], "micros/svc");
  EXPECT_EQ(written["kid"], "micros/svc/k1");
  EXPECT_EQ(written["audience"], "gateway");
  EXPECT_EQ(written["expiry"], 120);
  EXPECT_EQ(written["privateKey"].get<std::string>().rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  EXPECT_EQ(written["publicKey"], Key().Public().Pem());

  AsapCredentials loaded = CredentialsFromConfig(file);
  EXPECT_EQ(loaded.issuer, "micros/svc");
  EXPECT_EQ(loaded.key_id, "micros/svc/k1");
  EXPECT_EQ(loaded.audience, std::vector<std::string>{"gateway"});
  EXPECT_EQ(loaded.lifetime_seconds, 120);
  EXPECT_EQ(loaded.private_key->Public().Pem(), Key().Public().Pem());

  written["privateKey"] = jwt::MakePkcs8DataUri(Key(), {{"kid", "micros/svc/k1"}}).Reveal();
  written["audience"] = {"a", "b"};
  WriteFileAtomic(file, written.dump(), 0600);
  loaded = CredentialsFromConfig(file);
  EXPECT_EQ(loaded.audience, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(loaded.private_key->Public().Pem(), Key().Public().Pem());

  written["kid"] = "micros/svc/other";
  WriteFileAtomic(file, written.dump(), 0600);
  EXPECT_EQ(ErrorOf([&] { CredentialsFromConfig(file); }),
            "3: " + file.string() + " privateKey: the key id 'micros/svc/other' differs from the kid 'micros/svc/k1' inside the private key's data URI");
  written.erase("issuer");
  WriteFileAtomic(file, written.dump(), 0600);
  EXPECT_EQ(ErrorOf([&] { CredentialsFromConfig(file); }), "3: " + file.string() + ": field 'issuer' is missing");
  WriteFileAtomic(file, R"({"issuer":"a","kid":"a/b","privateKey":"nope"})", 0600);
  EXPECT_EQ(ErrorOf([&] { CredentialsFromConfig(file); }),
            "3: " + file.string() + " privateKey: neither a PEM private key nor a data:application/pkcs8 URI");
  WriteFileAtomic(file, R"({"issuer":"a","kid":"a/b","privateKey":"x","expiry":"60"})", 0600);
  EXPECT_EQ(ErrorOf([&] { CredentialsFromConfig(file); }).substr(0, 3), "3: ");
  WriteFileAtomic(file, "[]", 0600);
  EXPECT_EQ(ErrorOf([&] { CredentialsFromConfig(file); }), "3: " + file.string() + ": not a JSON object (expected an .asap-config)");
}

TEST(AsapCredentialsTest, EnvironmentTakesPemOrDataUriAndChecksTheKid) {
  std::string uri = jwt::MakePkcs8DataUri(Key(), {{"kid", "micros/svc/k1"}}).Reveal();
  auto from_uri = CredentialsFromEnvironment(EnvOf({{"ASAP_ISSUER", "micros/svc"}, {"ASAP_PRIVATE_KEY", uri}, {"ASAP_AUDIENCE", "a, b"}}));
  ASSERT_TRUE(from_uri);
  EXPECT_EQ(from_uri->key_id, "micros/svc/k1");  // From the data URI.
  EXPECT_EQ(from_uri->audience, (std::vector<std::string>{"a", "b"}));

  std::string pem = Key().Pkcs8Pem().Reveal();
  auto from_pem = CredentialsFromEnvironment(EnvOf({{"ASAP_ISSUER", "s"}, {"ASAP_KID", "s/k"}, {"ASAP_PRIVATE_KEY", pem}, {"ASAP_SUBJECT", "x"}}));
  EXPECT_EQ(from_pem->key_id, "s/k");
  EXPECT_EQ(from_pem->subject, "x");

  EXPECT_FALSE(CredentialsFromEnvironment(EnvOf({{"ASAP_AUDIENCE", "a"}, {"ASAP_SUBJECT", "s"}})));
  // Anything that identifies a signer, set alone, is an error naming what is set and what is not.
  EXPECT_EQ(ErrorOf([&] { CredentialsFromEnvironment(EnvOf({{"ASAP_ISSUER", "s"}})); }),
            "7: ASAP_ISSUER is set but ASAP_KEY_ID (or ASAP_KID) and ASAP_PRIVATE_KEY are not");
  EXPECT_EQ(ErrorOf([&] { CredentialsFromEnvironment(EnvOf({{"ASAP_PRIVATE_KEY", pem}})); }),
            "7: ASAP_PRIVATE_KEY is set but ASAP_ISSUER and ASAP_KEY_ID (or ASAP_KID) are not");
  EXPECT_EQ(ErrorOf([&] { CredentialsFromEnvironment(EnvOf({{"ASAP_PRIVATE_KEY", pem}, {"ASAP_KID", "s/k"}})); }),
            "7: ASAP_KID and ASAP_PRIVATE_KEY are set but ASAP_ISSUER is not");
  EXPECT_EQ(ErrorOf([&] { CredentialsFromEnvironment(EnvOf({{"ASAP_ISSUER", "s"}, {"ASAP_PRIVATE_KEY", pem}})); }),
            "7: ASAP_ISSUER and ASAP_PRIVATE_KEY are set but ASAP_KEY_ID (or ASAP_KID) is not");
  EXPECT_EQ(ErrorOf([&] { CredentialsFromEnvironment(EnvOf({{"ASAP_PRIVATE_KEY", uri}})); }),
            "7: ASAP_PRIVATE_KEY is set but ASAP_ISSUER is not");  // The data URI carries the kid.
  EXPECT_EQ(ErrorOf([&] { CredentialsFromEnvironment(EnvOf({{"ASAP_ISSUER", "micros/svc"}, {"ASAP_KEY_ID", "micros/svc/k2"}, {"ASAP_PRIVATE_KEY", uri}})); }),
            "3: ASAP_PRIVATE_KEY: the key id 'micros/svc/k2' differs from the kid 'micros/svc/k1' inside the private key's data URI");
}

TEST(AsapCredentialsTest, ResolutionPrefersConfigThenEnvironmentThenTheLocalFile) {
  TempDir dir;
  auto file = dir.path() / "explicit.json";
  WriteFileAtomic(file, AsapConfigJson("from-file", "from-file/k", {}, 60, Key()).Reveal(), 0600);
  auto env = EnvOf({{"ASAP_ISSUER", "from-env"}, {"ASAP_KEY_ID", "from-env/k"}, {"ASAP_PRIVATE_KEY", Key().Pkcs8Pem().Reveal()}});
  EXPECT_EQ(ResolveCredentials(file, env).issuer, "from-file");
  EXPECT_EQ(ResolveCredentials(std::nullopt, env).issuer, "from-env");

  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  EXPECT_EQ(ErrorOf([&] { ResolveCredentials(std::nullopt, EnvOf({})); }),
            "7: no ASAP credentials: pass --config FILE, set ASAP_ISSUER, ASAP_KEY_ID and ASAP_PRIVATE_KEY, or create ./.asap-config with berth asap keygen");
  auto half = EnvOf({{"ASAP_PRIVATE_KEY", Key().Pkcs8Pem().Reveal()}, {"ASAP_KEY_ID", "from-env/k"}});
  EXPECT_EQ(ErrorOf([&] { ResolveCredentials(std::nullopt, half); }),
            "7: the ASAP_* environment is incomplete: ASAP_KEY_ID and ASAP_PRIVATE_KEY are set but ASAP_ISSUER is not; there is no "
            "./.asap-config either (set the rest, or pass --config FILE)");
  WriteFileAtomic(dir.path() / ".asap-config", AsapConfigJson("local", "local/k", {}, 60, Key()).Reveal(), 0600);
  EXPECT_EQ(ResolveCredentials(std::nullopt, EnvOf({})).issuer, "local");
  // A half-set environment is neither completed from ./.asap-config nor passed over for it.
  EXPECT_EQ(ErrorOf([&] { ResolveCredentials(std::nullopt, half); }),
            "7: the ASAP_* environment is incomplete: ASAP_KEY_ID and ASAP_PRIVATE_KEY are set but ASAP_ISSUER is not; ./.asap-config "
            "exists but is not read while ASAP_* variables are set (unset them, set the rest, or pass --config .asap-config)");
  EXPECT_EQ(ResolveCredentials(file, half).issuer, "from-file");  // An explicit config wins outright.
  std::filesystem::current_path(cwd);
}

TEST(AsapMinterTest, MintsTheAsapClaimsAndKidHeader) {
  AsapCredentials credentials = Credentials();
  MintedToken minted = MintAsapToken(credentials, {.audience = {"gateway"}, .now = kNow});
  jwt::DecodedToken decoded = jwt::Decode(minted.token.Reveal());
  EXPECT_EQ(decoded.header, (nlohmann::json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "micros/svc/key1"}}));
  EXPECT_EQ(decoded.claims["iss"], "micros/svc");
  EXPECT_EQ(decoded.claims["sub"], "micros/svc");
  EXPECT_EQ(decoded.claims["aud"], "gateway");
  EXPECT_EQ(decoded.claims["iat"], kNow);
  EXPECT_EQ(decoded.claims["nbf"], kNow);
  EXPECT_EQ(decoded.claims["exp"], kNow + 60);
  EXPECT_EQ(decoded.claims["jti"].get<std::string>().size(), 32u);
  EXPECT_EQ(decoded.claims, minted.claims);
  EXPECT_NO_THROW(jwt::VerifySignature(decoded, Key().Public()));
  EXPECT_NE(MintAsapToken(credentials, {.audience = {"gateway"}, .now = kNow}).claims["jti"], decoded.claims["jti"]);

  credentials.audience = {"x", "y"};
  credentials.lifetime_seconds = 300;
  credentials.subject = "someone";
  MintedToken defaults = MintAsapToken(credentials, {.now = kNow});
  EXPECT_EQ(defaults.claims["aud"], (nlohmann::json{"x", "y"}));
  EXPECT_EQ(defaults.claims["exp"], kNow + 300);
  EXPECT_EQ(defaults.claims["sub"], "someone");
  MintedToken ps = MintAsapToken(credentials, {.lifetime_seconds = 3600, .algorithm = jwt::Algorithm::kPS256, .now = kNow});
  EXPECT_EQ(ps.header["alg"], "PS256");
  EXPECT_EQ(ps.claims["exp"], kNow + 3600);
}

TEST(AsapMinterTest, RefusesWhatVerifiersWouldReject) {
  AsapCredentials credentials = Credentials();
  EXPECT_EQ(ErrorOf([&] { MintAsapToken(credentials, {.audience = {"g"}, .lifetime_seconds = 3601}); }),
            "2: a lifetime of 3601 s is over the ASAP maximum of 3600 s (verifiers reject such tokens)");
  EXPECT_EQ(ErrorOf([&] { MintAsapToken(credentials, {.audience = {"g"}, .lifetime_seconds = 0}); }),
            "2: the token lifetime must be at least 1 s (got 0)");
  EXPECT_EQ(ErrorOf([&] { MintAsapToken(credentials, {}); }),
            "2: no audience: pass -a AUDIENCE, set ASAP_AUDIENCE, or put \"audience\" in the .asap-config");
  credentials.key_id = "other/key1";
  EXPECT_EQ(ErrorOf([&] { MintAsapToken(credentials, {.audience = {"g"}}); }),
            "3: test: kid 'other/key1' is not under issuer 'micros/svc' (it must be 'micros/svc' or start with 'micros/svc/')");
  credentials.key_id = "micros/svc/../x";
  EXPECT_EQ(ErrorOf([&] { MintAsapToken(credentials, {.audience = {"g"}}); }), "3: kid 'micros/svc/../x' contains '..'");
}

class AsapVerifierTest : public ::testing::Test {
 protected:
  std::string Verify(const std::string& token, VerifyOptions options = {}) {
    if (options.audience.empty()) options.audience = "gateway";
    if (!options.now) options.now = kNow;
    return ErrorOf([&] {
      VerifiedToken verified = VerifyAsapToken(token, options, [&](const std::string& kid) {
        requested_kids_.push_back(kid);
        return ResolvedKey{key_.Public(), "test-key"};
      });
      EXPECT_EQ(verified.key_source, "test-key");
    });
  }
  std::string With(const std::string& claim, const nlohmann::json& value) {
    nlohmann::json claims = GoodClaims();
    if (value.is_null()) {
      claims.erase(claim);
    } else {
      claims[claim] = value;
    }
    return Forge({{"kid", "micros/svc/key1"}}, claims);
  }
  std::string GoodToken() { return Forge({{"kid", "micros/svc/key1"}}, GoodClaims()); }
  jwt::PrivateKey key_ = Key();
  std::vector<std::string> requested_kids_;
};

TEST_F(AsapVerifierTest, AcceptsAGoodTokenAndFetchesItsKid) {
  EXPECT_EQ(Verify(MintAsapToken(Credentials(), {.audience = {"gateway"}, .now = kNow}).token.Reveal()), "no error");
  EXPECT_EQ(requested_kids_, std::vector<std::string>{"micros/svc/key1"});
  EXPECT_EQ(Verify(Forge({{"kid", "micros/svc"}}, GoodClaims())), "no error");  // kid == iss is allowed.
  EXPECT_EQ(Verify(With("aud", {"other", "gateway"})), "no error");
  EXPECT_EQ(Verify(With("sub", nullptr)), "no error");
  EXPECT_EQ(Verify(GoodToken(), {.now = kNow + 60 + 29}), "no error");  // Within the 30 s leeway.
}

TEST_F(AsapVerifierTest, EachBrokenRuleHasItsOwnMessage) {
  EXPECT_EQ(Verify("not.a-token"), "5: malformed JWT: expected three dot-separated parts");
  std::string hs = Base64UrlEncode(R"({"alg":"HS256","kid":"micros/svc/key1"})") + "." + Base64UrlEncode(GoodClaims().dump()) + ".c2ln";
  EXPECT_EQ(Verify(hs), "5: algorithm 'HS256' is not allowed (ASAP allows RS, PS and ES with 256, 384 or 512)");
  EXPECT_EQ(Verify(Forge(nlohmann::json::object(), GoodClaims())), "5: the token header has no kid");
  EXPECT_EQ(Verify(Forge({{"kid", "micros/svc/../../etc/passwd"}}, GoodClaims())), "5: kid 'micros/svc/../../etc/passwd' contains '..'");
  EXPECT_EQ(Verify(With("jti", nullptr)), "5: claim 'jti' is missing");
  EXPECT_EQ(Verify(With("iss", nullptr)), "5: claim 'iss' is missing");
  EXPECT_EQ(Verify(Forge({{"kid", "other/key1"}}, GoodClaims())),
            "5: kid 'other/key1' is not under issuer 'micros/svc' (it must be 'micros/svc' or start with 'micros/svc/')");
  EXPECT_EQ(Verify(Forge({{"kid", "micros/svcx/key1"}}, GoodClaims())),
            "5: kid 'micros/svcx/key1' is not under issuer 'micros/svc' (it must be 'micros/svc' or start with 'micros/svc/')");
  EXPECT_EQ(Verify(With("sub", "someone-else")), "5: subject 'someone-else' differs from issuer 'micros/svc'");
  EXPECT_EQ(Verify(GoodToken(), {.issuers = {"micros/a", "micros/b"}}), "5: issuer 'micros/svc' is not one of the accepted issuers");
  EXPECT_TRUE(requested_kids_.empty()) << "no key may be fetched for a token that fails before the signature check";
  EXPECT_EQ(Verify(With("sub", "someone-else"), {.subject_must_match_issuer = false}), "no error");

  EXPECT_EQ(Verify(With("exp", kNow + 3601)), "5: lifetime 3601 s (exp - iat) is over the maximum of 3600 s");
  EXPECT_EQ(Verify(With("exp", kNow - 31)), "5: exp (2023-11-14T22:12:49Z) is before iat (2023-11-14T22:13:20Z)");
  EXPECT_EQ(Verify(GoodToken(), {.now = kNow + 200}), "5: the token expired at 2023-11-14T22:14:20Z (140 s ago)");
  EXPECT_EQ(Verify(GoodToken(), {.now = kNow - 100}), "5: the token is not valid before 2023-11-14T22:13:20Z");
  EXPECT_EQ(Verify(GoodToken(), {.audience = "billing"}), "5: audience \"gateway\" does not include 'billing'");
  key_ = jwt::PrivateKey::GenerateEc(jwt::Algorithm::kES256);
  EXPECT_EQ(Verify(GoodToken()), "5: the token says RS256 but the public key is an EC prime256v1 key");
}

TEST_F(AsapVerifierTest, ATamperedTokenFailsTheSignature) {
  std::string token = GoodToken();
  nlohmann::json claims = GoodClaims();
  claims["aud"] = "billing";
  std::string tampered = token.substr(0, token.find('.') + 1) + Base64UrlEncode(claims.dump()) + token.substr(token.rfind('.'));
  EXPECT_EQ(Verify(tampered, {.audience = "billing"}), "5: the signature does not verify with the public key");
}

TEST(AsapProviderTest, MintsThroughTheCredentialProviderInterface) {
  TempDir dir;
  auto file = dir.path() / "c.json";
  WriteFileAtomic(file, AsapConfigJson("micros/svc", "micros/svc/k1", {"default-aud"}, 60, Key()).Reveal(), 0600);
  auto provider = AsapProvider::FromSettings({{"config", file.string()}}, EnvOf({}));
  Result<IssuedToken> issued = provider->Token({.audience = {"gateway"}, .lifetime_seconds = 120});
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  EXPECT_EQ(issued.value().scheme, "Bearer");
  EXPECT_EQ(issued.value().key_id, "micros/svc/k1");
  jwt::DecodedToken decoded = jwt::Decode(issued.value().value.Reveal());
  EXPECT_EQ(decoded.claims["aud"], "gateway");
  EXPECT_EQ(decoded.claims["exp"], issued.value().expires_at);
  EXPECT_EQ(decoded.claims["exp"].get<int64_t>() - decoded.claims["iat"].get<int64_t>(), 120);

  Result<IssuedToken> refused = provider->Token({.audience = {"gateway"}, .lifetime_seconds = 7200});
  EXPECT_EQ(refused.status().code(), ErrorCode::kUsage);

  WriteFileAtomic(dir.path() / "key.pem", Key().Pkcs8Pem().Reveal(), 0600);
  auto from_file = AsapProvider::FromSettings(
      {{"issuer", "svc"}, {"key_id", "svc/1"}, {"private_key_file", (dir.path() / "key.pem").string()}, {"audience", "x"}}, EnvOf({}));
  EXPECT_EQ(jwt::Decode(from_file->Token({}).value().value.Reveal()).claims["aud"], "x");
  EXPECT_EQ(ErrorOf([&] { AsapProvider::FromSettings({{"private_key_file", "k"}}, EnvOf({})); }),
            "3: asap credential settings with private_key_file also need issuer and key_id");
}

TEST(KeyRepositoriesTest, OnlyHttpsOrLoopbackHttp) {
  EXPECT_EQ(KeyRepositories({"https://keys.example/", "http://127.0.0.1:8080/keys"}).base_urls(),
            (std::vector<std::string>{"https://keys.example/", "http://127.0.0.1:8080/keys/"}));
  EXPECT_EQ(ErrorOf([] { KeyRepositories({"http://keys.example/"}); }),
            "2: key repository 'http://keys.example/' must be an https:// URL (plain http only for 127.0.0.1, localhost and [::1])");
  EXPECT_EQ(ErrorOf([] { KeyRepositories({"http://127.0.0.1@evil.example/"}); }).substr(0, 3), "2: ");
  EXPECT_EQ(ErrorOf([] { KeyRepositories({"file:///etc/"}); }).substr(0, 3), "2: ");
}

}  // namespace
}  // namespace berth::asap
